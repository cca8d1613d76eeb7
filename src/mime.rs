//! MIME types: parsed once into [`Format`], never compared as strings elsewhere.

use std::fmt;

/// A container the recorder can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// Ogg with the Opus mapping of RFC 7845.
    Ogg,
    /// WebM (Matroska subset) written as a live stream.
    WebM,
}

impl Container {
    /// File extension used for chunks and saved files.
    pub fn extension(self) -> &'static str {
        match self {
            Container::Ogg => "ogg",
            Container::WebM => "webm",
        }
    }
}

/// Audio codecs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioCodec {
    /// Opus through libopus.
    Opus,
}

/// What a recording produces: a container plus the codec of each kind of track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Format {
    /// The container.
    pub container: Container,
    /// The audio codec (every supported container carries audio).
    pub audio: AudioCodec,
    /// Top-level type as written by the user (`audio` or `video`), kept for `mime_type()`.
    pub top: TopLevel,
}

/// The `audio/…` or `video/…` part of a MIME type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopLevel {
    /// `audio/…`
    Audio,
    /// `video/…`
    Video,
}

impl Format {
    /// The default for an audio-only stream: Ogg Opus, as Firefox does.
    pub const DEFAULT_AUDIO: Format =
        Format { container: Container::Ogg, audio: AudioCodec::Opus, top: TopLevel::Audio };

    /// Parses and checks a MIME type. `Ok(None)` for the empty string ("the recorder picks").
    ///
    /// # Errors
    /// A message saying why the type cannot be produced (unparseable, unknown container or codec).
    pub fn parse(mime: &str) -> Result<Option<Format>, String> {
        let mime = mime.trim();
        if mime.is_empty() {
            return Ok(None);
        }
        let parsed = ParsedMime::parse(mime).ok_or_else(|| format!("\"{mime}\" is not a MIME type"))?;
        let top = match parsed.top.as_str() {
            "audio" => TopLevel::Audio,
            "video" => TopLevel::Video,
            _ => return Err(format!("\"{mime}\": only audio/… and video/… types are recorded")),
        };
        let container = match parsed.sub.as_str() {
            "ogg" => Container::Ogg,
            "webm" => Container::WebM,
            other => return Err(format!("\"{mime}\": the {other} container is not supported")),
        };
        if top == TopLevel::Video {
            return Err(format!("\"{mime}\": video recording is not supported yet"));
        }
        let mut audio = None;
        for codec in &parsed.codecs {
            match codec.as_str() {
                "opus" => audio = Some(AudioCodec::Opus),
                other => return Err(format!("\"{mime}\": the codec \"{other}\" is not supported")),
            }
        }
        Ok(Some(Format { container, audio: audio.unwrap_or(AudioCodec::Opus), top }))
    }

    /// The full MIME type with codecs, as `mime_type()` reports it once recording started.
    pub fn mime_type(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let top = match self.top {
            TopLevel::Audio => "audio",
            TopLevel::Video => "video",
        };
        let codec = match self.audio {
            AudioCodec::Opus => "opus",
        };
        write!(f, "{top}/{};codecs={codec}", self.container.extension())
    }
}

/// `type/subtype; codecs="a, b"`, lower-cased, with whitespace and quotes removed (RFC 6381 style).
struct ParsedMime {
    top: String,
    sub: String,
    codecs: Vec<String>,
}

impl ParsedMime {
    fn parse(s: &str) -> Option<ParsedMime> {
        let mut parts = s.split(';');
        let essence = parts.next()?.trim().to_ascii_lowercase();
        let (top, sub) = essence.split_once('/')?;
        if !is_token(top) || !is_token(sub) {
            return None;
        }
        let mut codecs = Vec::new();
        for param in parts {
            let param = param.trim();
            if param.is_empty() {
                continue;
            }
            let (name, value) = param.split_once('=')?;
            let name = name.trim().to_ascii_lowercase();
            let value = value.trim();
            let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
            if !is_token(&name) {
                return None;
            }
            if name == "codecs" {
                for c in value.split(',') {
                    let c = c.trim().to_ascii_lowercase();
                    if c.is_empty() {
                        return None;
                    }
                    codecs.push(c);
                }
            }
        }
        Some(ParsedMime { top: top.to_string(), sub: sub.to_string(), codecs })
    }
}

/// RFC 2045 token: visible ASCII without separators.
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_whitespace_and_quotes() {
        let f = Format::parse(" Audio/WebM ; Codecs=\"OPUS\" ").unwrap().unwrap();
        assert_eq!(f.container, Container::WebM);
        assert_eq!(f.mime_type(), "audio/webm;codecs=opus");
        assert_eq!(Format::parse("audio/ogg").unwrap().unwrap().mime_type(), "audio/ogg;codecs=opus");
    }

    #[test]
    fn rejects_what_it_cannot_produce() {
        for bad in [
            "audio",
            "audio/",
            "/ogg",
            "audio/mp4",
            "audio/ogg;codecs=vorbis",
            "audio/webm;codecs=",
            "audio/ogg;codecs",
            "text/plain",
            "video/webm;codecs=vp8",
        ] {
            assert!(Format::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert_eq!(Format::parse("").unwrap(), None);
    }
}
