//! File messages. Bytes go straight between the client and the blob store by
//! short-lived presigned URLs (Lambda's payload limit); the handler only
//! checks membership and signs. A download is signed only for a current
//! member, so leaving a room ends access to its files.

use super::Services;
use crate::domain::limits::{MAX_FILE_BYTES, MAX_FILE_NAME_CHARS};
use crate::domain::{FileAttachment, RoomId, Timestamp, UserId};
use crate::ports::PresignedUpload;
use crate::protocol::{ChatError, ChatResult, ErrorCode};
use rand::Rng;

#[derive(Clone, Debug)]
pub struct UploadTicket {
    pub file_id: String,
    pub upload: PresignedUpload,
    pub expires_at: Timestamp,
}

#[derive(Clone, Debug)]
pub struct DownloadTicket {
    pub url: String,
    pub expires_at: Timestamp,
}

/// Where a room's file lives: scoped to the room, so a key never crosses rooms.
pub fn blob_key(room: RoomId, file_id: &str) -> String {
    format!("rooms/{room}/files/{file_id}")
}

impl Services {
    /// A presigned upload for a file to be sent in `room_id`.
    pub async fn create_upload(
        &self,
        me: UserId,
        room_id: RoomId,
        file_name: &str,
        content_type: &str,
        size: u64,
    ) -> ChatResult<UploadTicket> {
        self.require_member(room_id, me).await?;
        let file_name = valid_file_name(file_name)?;
        let content_type = valid_content_type(content_type)?;
        if size == 0 {
            return Err(ChatError::invalid("size must be at least 1 byte"));
        }
        if size > MAX_FILE_BYTES {
            return Err(ChatError::new(
                ErrorCode::PayloadTooLarge,
                format!("files are limited to {MAX_FILE_BYTES} bytes"),
            ));
        }
        let file_id = new_file_id();
        let ttl = self.config.upload_url_ttl;
        let upload = self
            .blobs
            .presign_put(
                &blob_key(room_id, &file_id),
                &file_name,
                &content_type,
                size,
                ttl,
            )
            .await?;
        Ok(UploadTicket {
            file_id,
            upload,
            expires_at: Timestamp::now().plus(ttl),
        })
    }

    /// Stores bytes that arrived in a request body (small files only).
    pub async fn store_file(
        &self,
        me: UserId,
        room_id: RoomId,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> ChatResult<String> {
        self.require_member(room_id, me).await?;
        let file_name = valid_file_name(file_name)?;
        let content_type = valid_content_type(content_type)?;
        if bytes.is_empty() {
            return Err(ChatError::invalid("the file is empty"));
        }
        let file_id = new_file_id();
        self.blobs
            .put(
                &blob_key(room_id, &file_id),
                &file_name,
                bytes,
                &content_type,
            )
            .await?;
        Ok(file_id)
    }

    /// The uploaded file, checked to exist, ready to attach to a message.
    pub async fn attachment(&self, room_id: RoomId, file_id: &str) -> ChatResult<FileAttachment> {
        if !is_file_id(file_id) {
            return Err(ChatError::invalid("file_id is not one Banter issued"));
        }
        let meta = self
            .blobs
            .head(&blob_key(room_id, file_id))
            .await?
            .ok_or_else(|| {
                ChatError::new(ErrorCode::NotFound, "file not found: upload it first")
            })?;
        Ok(FileAttachment {
            file_id: file_id.to_owned(),
            name: meta.file_name,
            content_type: meta.content_type,
            size: meta.size,
        })
    }

    /// A presigned download, for current members only.
    pub async fn download(
        &self,
        me: UserId,
        room_id: RoomId,
        file_id: &str,
    ) -> ChatResult<DownloadTicket> {
        self.require_member(room_id, me).await?;
        // An id Banter never issues names no file (it is not a bad field:
        // it arrives as part of a URL).
        if !is_file_id(file_id) {
            return Err(ChatError::not_found("file"));
        }
        let file = self.attachment(room_id, file_id).await?;
        let ttl = self.config.download_url_ttl;
        let url = self
            .blobs
            .presign_get(&blob_key(room_id, file_id), &file.name, ttl)
            .await?;
        Ok(DownloadTicket {
            url,
            expires_at: Timestamp::now().plus(ttl),
        })
    }
}

fn new_file_id() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_file_id(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn valid_file_name(name: &str) -> ChatResult<String> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_FILE_NAME_CHARS {
        return Err(ChatError::invalid(format!(
            "file_name must be 1 to {MAX_FILE_NAME_CHARS} characters"
        )));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\' || c == '"')
    {
        return Err(ChatError::invalid(
            "file_name must not contain control characters, slashes or quotes",
        ));
    }
    Ok(name.to_owned())
}

/// `type/subtype` of RFC 7230 token characters; parameters are not accepted.
fn valid_content_type(content_type: &str) -> ChatResult<String> {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    match content_type.split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) && content_type.len() <= 127 => {
            Ok(content_type.to_ascii_lowercase())
        }
        _ => Err(ChatError::invalid(
            "content_type must look like type/subtype",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_and_names_are_checked() {
        assert!(is_file_id(&new_file_id()));
        assert!(!is_file_id("../../etc/passwd"));
        assert!(valid_file_name("report.pdf").is_ok());
        assert!(valid_file_name("a/b").is_err());
        assert!(valid_file_name("").is_err());
        assert!(valid_content_type("image/png").is_ok());
        assert!(valid_content_type("text/plain; charset=utf-8").is_err());
        assert!(valid_content_type("nonsense").is_err());
    }
}
