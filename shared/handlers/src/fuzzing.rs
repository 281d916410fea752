//! Entry points for the fuzz targets (`fuzz/`): the readers a client's bytes
//! reach first on the REST side, outside the private modules that use them.
//! Each returns whether the input was accepted; none may panic.

use crate::http::request;
use banter_core::dialect::native::decode::SyncFrame;
use lambda_http::Request;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The kinds of fields Banter's request bodies hold.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Probe {
    room_id: u64,
    text: String,
    client_message_id: Option<String>,
    typing: Option<bool>,
    member_ids: Option<Vec<u64>>,
    limit: Option<usize>,
    cursors: Option<BTreeMap<String, u64>>,
}

/// A JSON body read as a typed request, as every REST route reads its body.
pub fn json_body(body: &[u8]) -> bool {
    let probe = request::parse_body::<Probe>(body).is_ok();
    let sync =
        request::parse_optional_body::<SyncFrame>(body).is_ok_and(|frame| frame.read().is_ok());
    probe || sync
}

/// A request's query string read as the history routes read it.
pub fn query(request: &Request) -> bool {
    let before = request::query_number::<u64>(request, "before");
    let after = request::query_number::<u64>(request, "after");
    let limit = request::query_number::<usize>(request, "limit");
    let page = request::query_number::<u64>(request, "page");
    match (before, after, limit, page) {
        (Ok(before), Ok(after), Ok(limit), Ok(_)) => {
            banter_core::dialect::native::history_query(before, after, limit).is_ok()
        }
        _ => false,
    }
}

/// A multipart/form-data body read as seed 003's file upload reads it.
pub async fn multipart(content_type: &str, body: &[u8]) -> bool {
    crate::http::conversations::read_files(Some(content_type), body).await
}
