//! One conversation, every dialect: the same users, DM and group are the
//! same whatever dialect reaches them. A message sent in any dialect reaches
//! every member's connections in every dialect, each in its own format, and
//! shows in every dialect's history.
//!
//! Seeds 000 (pair) and 002 (events) only know DMs, so the DM test holds all
//! five dialects (four seeds and native) across two users; the group test
//! holds the three that know groups (native, rooms, conversations).

use banter_e2e::dialects::conversations::{SeedSocket, dm_name, group_name, messages};
use banter_e2e::dialects::events::EventsClient;
use banter_e2e::dialects::pair::PairClient;
use banter_e2e::dialects::rooms::{RoomsClient, retrieved};
use banter_e2e::{JsonExt, Page, TestApp, TestUser, WsClient};
use serde_json::{Value, json};

/// Alice holds native, pair and events sockets; Bob rooms, conversation and
/// notification sockets. Both are on all of their sockets at once.
struct DmSockets {
    alice_native: WsClient,
    alice_pair: PairClient,
    alice_events: EventsClient,
    bob_rooms: RoomsClient,
    bob_chat: SeedSocket,
    bob_notices: SeedSocket,
}

/// Which socket sent, so the one the events seed acknowledges instead of
/// echoing is known.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum From {
    Native,
    Pair,
    Events,
    Rooms,
    Conversation,
}

impl DmSockets {
    async fn open(app: &TestApp, alice: &TestUser, bob: &TestUser) -> Self {
        let alice_native = WsClient::connect(app, &alice.token).await;
        let (alice_pair, _) = PairClient::authenticated(app, alice, bob).await;
        let alice_events = EventsClient::registered(app, &alice.token).await;
        let bob_rooms = RoomsClient::connected(app, &bob.token).await;
        let (bob_chat, _) = SeedSocket::chat_welcomed(app, &dm_name(bob, alice), bob).await;
        let mut bob_notices = SeedSocket::notifications(app, bob).await;
        assert_eq!(
            bob_notices.unread_count().await,
            0,
            "the notification welcome"
        );
        Self {
            alice_native,
            alice_pair,
            alice_events,
            bob_rooms,
            bob_chat,
            bob_notices,
        }
    }

    async fn send(&mut self, from: From, dm: u64, bob: &TestUser, text: &str) {
        match from {
            From::Native => {
                self.alice_native.send_message(dm, text).await;
            }
            From::Pair => {
                // Sent raw: its echo is read with everyone else's below.
                let frame = self.alice_pair.new_message_frame(text);
                self.alice_pair.send(&frame).await;
            }
            From::Events => self.alice_events.send_message(bob.id, text).await,
            From::Rooms => self.bob_rooms.send_message(dm, text).await,
            From::Conversation => self.bob_chat.chat_message(text).await,
        }
    }

    /// Every socket gets `text`, in its own dialect's shape.
    async fn all_receive(&mut self, from: From, alice: &TestUser, bob: &TestUser, text: &str) {
        let native = self.alice_native.event("message").await;
        assert_eq!(native.str_at("/message/text"), text, "native: {native}");

        let pair = self.alice_pair.received().await;
        assert_eq!(pair.str_at("/message"), text, "pair: {pair}");
        let sender_name = if matches!(from, From::Rooms | From::Conversation) {
            &bob.display_name
        } else {
            &alice.display_name
        };
        assert_eq!(
            pair.str_at("/sender_name"),
            sender_name.as_str(),
            "pair: {pair}"
        );

        if from != From::Events {
            // The sending events socket got `{"success": true}` instead.
            let message = self.alice_events.on("message").await;
            assert_eq!(message.str_at("/content"), text, "events: {message}");
            let sender = if matches!(from, From::Rooms | From::Conversation) {
                bob
            } else {
                alice
            };
            assert_eq!(message.u64_at("/from"), sender.id, "events: {message}");
        }

        let rooms = self.bob_rooms.message().await;
        assert_eq!(rooms.str_at("/message"), text, "rooms: {rooms}");

        let echo = self.bob_chat.echo().await;
        assert_eq!(
            echo.str_at("/message/content"),
            text,
            "conversations: {echo}"
        );

        if matches!(from, From::Native | From::Pair | From::Events) {
            // Bob's own messages do not notify Bob.
            let notice = self.bob_notices.event("new_message_notification").await;
            assert_eq!(
                notice.str_at("/message/content"),
                text,
                "notifications: {notice}"
            );
            assert!(self.bob_notices.unread_count().await >= 1);
        }
    }
}

fn texts(list: &[Value], pointer: &str) -> Vec<String> {
    list.iter().map(|m| m.str_at(pointer).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_dm_spoken_in_all_five_dialects_then_every_message_reaches_every_socket_and_every_history()
 {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let dm = app.dm(&alice, &bob).await;
    let mut sockets = DmSockets::open(&app, &alice, &bob).await;

    let sent = [
        (From::Native, "from native"),
        (From::Pair, "from pair"),
        (From::Events, "from events"),
        (From::Rooms, "from rooms"),
        (From::Conversation, "from conversations"),
    ];
    for (from, text) in sent {
        sockets.send(from, dm, &bob, text).await;
        sockets.all_receive(from, &alice, &bob, text).await;
    }
    let expected: Vec<String> = sent.iter().map(|(_, t)| (*t).to_owned()).collect();

    // Native history (REST), oldest first.
    let native = app
        .history(&alice.token, dm, Page::latest())
        .await
        .expect(200);
    assert_eq!(texts(native.array_at("/messages"), "/text"), expected);

    // Seed 001: retrieve everything after 0.
    assert_eq!(
        texts(&retrieved(&app, &bob.token, 0).await, "/message"),
        expected
    );

    // Seed 002: the conversation with Bob, oldest first.
    sockets
        .alice_events
        .emit("conversation", json!({"id": bob.id}))
        .await;
    let conversation = sockets.alice_events.on("conversation").await;
    assert_eq!(
        texts(conversation.array_at("/messages"), "/content"),
        expected
    );

    // Seed 003: REST history is newest first; a new socket's welcome oldest first.
    let page = messages(&app, Some(&alice.token), &dm_name(&alice, &bob), None)
        .await
        .expect(200);
    let mut newest_first = texts(page.array_at("/results"), "/content");
    newest_first.reverse();
    assert_eq!(newest_first, expected);
    let (_second, welcome) = SeedSocket::chat_welcomed(&app, &dm_name(&alice, &bob), &alice).await;
    assert_eq!(texts(welcome.array_at("/messages"), "/content"), expected);

    // Seed 000 has no history; its socket heard every message live (above).
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_group_spoken_in_native_rooms_and_conversations_then_every_member_gets_everything()
{
    let app = TestApp::spawn().await;
    let carol = app.new_user().await;
    let dave = app.new_user().await;
    let erin = app.new_user().await;
    // Erin's socket creates the group `c_d_e` on first use.
    let name = group_name(&[&carol, &dave, &erin]);
    let (mut erin_chat, _) = SeedSocket::chat_welcomed(&app, &name, &erin).await;
    let mut carol_native = WsClient::connect(&app, &carol.token).await;
    let mut dave_rooms = RoomsClient::connected(&app, &dave.token).await;

    erin_chat.chat_message("from conversations").await;
    let group: u64 = erin_chat
        .echo()
        .await
        .str_at("/message/conversation")
        .parse()
        .expect("a room id string");
    let native = carol_native.event("message").await;
    assert_eq!(native.str_at("/message/text"), "from conversations");
    assert_eq!(native.u64_at("/message/room_id"), group);
    assert_eq!(
        dave_rooms.message().await.str_at("/message"),
        "from conversations"
    );

    carol_native.send_message(group, "from native").await;
    dave_rooms.send_message(group, "from rooms").await;
    for text in ["from native", "from rooms"] {
        assert_eq!(
            carol_native.event("message").await.str_at("/message/text"),
            text
        );
        assert_eq!(dave_rooms.message().await.str_at("/message"), text);
        assert_eq!(erin_chat.echo().await.str_at("/message/content"), text);
    }

    let expected = ["from conversations", "from native", "from rooms"];
    let native = app
        .history(&carol.token, group, Page::latest())
        .await
        .expect(200);
    assert_eq!(texts(native.array_at("/messages"), "/text"), expected);
    assert_eq!(
        texts(&retrieved(&app, &dave.token, 0).await, "/message"),
        expected
    );
    let page = messages(&app, Some(&erin.token), &name, None)
        .await
        .expect(200);
    let mut newest_first = texts(page.array_at("/results"), "/content");
    newest_first.reverse();
    assert_eq!(newest_first, expected);
}
