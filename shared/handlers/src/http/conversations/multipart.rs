//! Reading the files of a `multipart/form-data` body (RFC 7578) with
//! `multer`. The body is whole already: API Gateway hands Lambda the
//! complete request (base64 for binary; lambda_http decodes it).

use banter_core::domain::limits::MAX_FILE_NAME_CHARS;
use banter_core::protocol::{ChatError, ChatResult};
use bytes::Bytes;
use std::convert::Infallible;

/// One uploaded file, its name and type made acceptable to the file store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FilePart {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Every part named `field`, in order. Parts of other names are skipped;
/// a `field` part that is not a file, or is empty, is refused.
pub(crate) async fn files(
    content_type: Option<&str>,
    body: &[u8],
    field: &str,
) -> ChatResult<Vec<FilePart>> {
    let boundary = content_type
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(|| {
            ChatError::invalid("the body must be multipart/form-data with a boundary")
        })?;
    let body = Bytes::copy_from_slice(body);
    let stream = futures::stream::once(async move { Ok::<_, Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut files = Vec::new();
    while let Some(part) = form.next_field().await.map_err(malformed)? {
        if part.name() != Some(field) {
            continue;
        }
        let file_name = part
            .file_name()
            .map(clean_file_name)
            .ok_or_else(|| ChatError::invalid(format!("each {field} part must be a file")))?;
        let content_type = part
            .content_type()
            .map_or("application/octet-stream", |mime| mime.essence_str())
            .to_ascii_lowercase();
        let bytes = part.bytes().await.map_err(malformed)?.to_vec();
        if bytes.is_empty() {
            return Err(ChatError::invalid(format!("the file {file_name} is empty")));
        }
        files.push(FilePart {
            file_name,
            content_type,
            bytes,
        });
    }
    if files.is_empty() {
        return Err(ChatError::invalid(format!(
            "the form needs at least one {field} file"
        )));
    }
    Ok(files)
}

fn malformed(e: multer::Error) -> ChatError {
    ChatError::invalid(format!("the multipart body is malformed: {e}"))
}

/// The name without any directory a browser left in it, with the
/// characters the file store refuses replaced, within its length limit.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| if c.is_control() || c == '"' { '_' } else { c })
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use banter_core::protocol::ErrorCode;

    const TYPE: &str = "multipart/form-data; boundary=XyZ";

    /// A form part: field name, file name, content type, bytes.
    type Part<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

    fn body(parts: &[Part<'_>]) -> Vec<u8> {
        let mut body = Vec::new();
        for (name, file_name, content_type, bytes) in parts {
            body.extend_from_slice(b"--XyZ\r\n");
            let disposition = match file_name {
                Some(f) => {
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n")
                }
                None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n"),
            };
            body.extend_from_slice(disposition.as_bytes());
            if let Some(ct) = content_type {
                body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--XyZ--\r\n");
        body
    }

    async fn refused(content_type: Option<&str>, body: &[u8]) -> String {
        match files(content_type, body, "files").await {
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::InvalidField);
                e.client_message()
            }
            Ok(files) => panic!("accepted {files:?}"),
        }
    }

    #[tokio::test]
    async fn every_files_part_is_read_in_order_with_its_name_and_type() {
        let binary: Vec<u8> = (0..=255).collect();
        let form = body(&[
            ("note", None, None, b"ignored"),
            (
                "files",
                Some("a.txt"),
                Some("text/plain; charset=utf-8"),
                b"hello\r\n-- XyZ",
            ),
            ("files", Some("C:\\fakepath\\b.bin"), None, &binary),
        ]);
        let parts = files(Some(TYPE), &form, "files").await.unwrap_or_default();
        assert_eq!(
            parts,
            vec![
                FilePart {
                    file_name: "a.txt".into(),
                    content_type: "text/plain".into(),
                    bytes: b"hello\r\n-- XyZ".to_vec(),
                },
                FilePart {
                    file_name: "b.bin".into(),
                    content_type: "application/octet-stream".into(),
                    bytes: binary,
                },
            ]
        );
    }

    #[tokio::test]
    async fn forms_without_a_usable_file_are_refused() {
        assert!(refused(None, b"x").await.contains("multipart"));
        assert!(
            refused(Some("application/json"), b"{}")
                .await
                .contains("multipart")
        );
        let no_files = body(&[("other", Some("a.txt"), None, b"x")]);
        assert!(
            refused(Some(TYPE), &no_files)
                .await
                .contains("at least one")
        );
        let not_a_file = body(&[("files", None, None, b"x")]);
        assert!(
            refused(Some(TYPE), &not_a_file)
                .await
                .contains("must be a file")
        );
        let empty = body(&[("files", Some("a.txt"), None, b"")]);
        assert!(refused(Some(TYPE), &empty).await.contains("empty"));
        assert!(
            refused(Some(TYPE), b"--XyZ\r\ngarbage")
                .await
                .contains("malformed")
        );
        assert!(refused(Some(TYPE), b"").await.contains("malformed"));
    }

    #[test]
    fn file_names_lose_directories_and_refused_characters() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\"b\u{7}.txt"), "a_b_.txt");
        assert_eq!(clean_file_name("dir/"), "file");
        assert_eq!(clean_file_name(&"x".repeat(300)).len(), MAX_FILE_NAME_CHARS);
    }
}
