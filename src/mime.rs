//! MIME types: parsed once into [`Format`], never compared as strings elsewhere.

use std::fmt;

/// A container the recorder can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// Ogg with the Opus mapping of RFC 7845.
    Ogg,
    /// WebM (Matroska subset) written as a live stream.
    WebM,
    /// MP4 (ISO base media) written as fragments, saved with its index first.
    Mp4,
}

impl Container {
    /// File extension used for chunks and saved files.
    pub fn extension(self) -> &'static str {
        match self {
            Container::Ogg => "ogg",
            Container::WebM => "webm",
            Container::Mp4 => "mp4",
        }
    }
}

/// Audio codecs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioCodec {
    /// Opus through libopus.
    Opus,
}

/// Video codecs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VideoCodec {
    /// VP8 through libvpx (the browsers' default for `video/webm`).
    Vp8,
    /// VP9 profile 0 through libvpx.
    Vp9,
    /// AV1 main profile, 8 bit, through rav1e or libaom.
    Av1,
    /// H.264 Constrained Baseline through OpenH264 (MP4 only).
    H264,
}

impl VideoCodec {
    /// The name in a MIME type's `codecs` parameter, as Chromium writes it in `container`.
    pub fn name(self, container: Container) -> &'static str {
        match (self, container) {
            (VideoCodec::Vp8, _) => "vp8",
            (VideoCodec::Vp9, Container::Mp4) => "vp09",
            (VideoCodec::Vp9, _) => "vp9",
            (VideoCodec::Av1, Container::Mp4) => "av01",
            (VideoCodec::Av1, _) => "av1",
            (VideoCodec::H264, _) => "avc1",
        }
    }

    /// Whether `container` carries this codec here (H.264 goes in MP4, VP8 in WebM).
    pub fn fits(self, container: Container) -> bool {
        match self {
            VideoCodec::Vp8 => container == Container::WebM,
            VideoCodec::H264 => container == Container::Mp4,
            VideoCodec::Vp9 | VideoCodec::Av1 => container != Container::Ogg,
        }
    }
}

/// What a MIME type asks for: a container, and the codecs it names (none: the recorder picks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Format {
    /// The container.
    pub container: Container,
    /// The audio codec named, if any.
    pub audio: Option<AudioCodec>,
    /// The video codec named, if any.
    pub video: Option<VideoCodec>,
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

/// What one recording writes: the container, and the codec of each track it records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Recording {
    /// The container.
    pub container: Container,
    /// The audio track's codec, when the stream has audio.
    pub audio: Option<AudioCodec>,
    /// The video track's codec, when the stream has video.
    pub video: Option<VideoCodec>,
    top: TopLevel,
}

impl Format {
    /// Parses and checks a MIME type. `Ok(None)` for the empty string ("the recorder picks").
    ///
    /// # Errors
    /// A message saying why the type cannot be produced (unparseable, unknown container or codec,
    /// a video codec in an audio type or in Ogg).
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
            "mp4" => Container::Mp4,
            other => return Err(format!("\"{mime}\": the {other} container is not supported")),
        };
        if top == TopLevel::Video && container == Container::Ogg {
            return Err(format!("\"{mime}\": Ogg carries audio only here; use video/webm"));
        }
        let (mut audio, mut video) = (None, None);
        for codec in &parsed.codecs {
            match codec.as_str() {
                "opus" => audio = Some(AudioCodec::Opus),
                "vp8" | "vp8.0" => video = Some(VideoCodec::Vp8),
                // RFC 6381 style `vp09.PP.LL.DD`: profile 0, 8 bits is what libvpx writes here.
                "vp9" | "vp9.0" => video = Some(VideoCodec::Vp9),
                c if c.starts_with("vp09.00.") && c.split('.').nth(3).is_none_or(|depth| depth == "08") => {
                    video = Some(VideoCodec::Vp9);
                }
                // `av01.P.LLT.DD`: main profile (0), 8 bits is what rav1e writes here.
                "av1" | "av01" => video = Some(VideoCodec::Av1),
                "vp09" => video = Some(VideoCodec::Vp9),
                // `avc1.PPCCLL`: any profile and level names H.264; OpenH264 writes Constrained
                // Baseline, which every H.264 decoder plays.
                "avc1" | "h264" => video = Some(VideoCodec::H264),
                c if c.starts_with("avc1.") && c.len() == 11 && c[5..].bytes().all(|b| b.is_ascii_hexdigit()) => {
                    video = Some(VideoCodec::H264);
                }
                c if c.starts_with("av01.0.") && c.split('.').nth(3).is_none_or(|depth| depth == "08") => {
                    video = Some(VideoCodec::Av1);
                }
                other => return Err(format!("\"{mime}\": the codec \"{other}\" is not supported")),
            }
        }
        if video.is_some() && top == TopLevel::Audio {
            return Err(format!("\"{mime}\": an audio type cannot carry a video codec"));
        }
        if let Some(v) = video.filter(|v| !v.fits(container)) {
            return Err(format!("\"{mime}\": {} does not go in {}", v.name(container), container.extension()));
        }
        Ok(Some(Format { container, audio, video, top }))
    }

    /// What a recording of a stream with these kinds of tracks writes for `requested` (`None`: the
    /// recorder picks: Ogg Opus for audio, as Firefox; WebM VP8 + Opus for video, as Chromium).
    ///
    /// # Errors
    /// Why the type cannot carry the tracks: an audio type for a stream with video, or a type
    /// naming a video codec for a stream without video (the spec's `NotSupportedError`).
    pub fn for_tracks(requested: Option<Format>, has_audio: bool, has_video: bool) -> Result<Recording, String> {
        let Some(f) = requested else {
            return Ok(if has_video {
                Recording {
                    container: Container::WebM,
                    audio: has_audio.then_some(AudioCodec::Opus),
                    video: Some(VideoCodec::Vp8),
                    top: TopLevel::Video,
                }
            } else {
                Recording {
                    container: Container::Ogg,
                    audio: Some(AudioCodec::Opus),
                    video: None,
                    top: TopLevel::Audio,
                }
            });
        };
        if has_video && f.top == TopLevel::Audio {
            return Err(format!("\"{f}\" is an audio type and the stream has video"));
        }
        if !has_video && f.video.is_some() {
            return Err(format!("\"{f}\" names a video codec and the stream has no video"));
        }
        Ok(Recording {
            container: f.container,
            // Audio in a video type is recorded even when only the video codec is named, as
            // browsers do (`video/webm;codecs=vp8` with a microphone gives vp8,opus).
            audio: has_audio.then_some(f.audio.unwrap_or(AudioCodec::Opus)),
            // The container's default, as Chromium's: VP8 in WebM, H.264 in MP4.
            video: has_video.then_some(f.video.unwrap_or(match f.container {
                Container::Mp4 => VideoCodec::H264,
                _ => VideoCodec::Vp8,
            })),
            top: f.top,
        })
    }
}

fn codecs_list(container: Container, audio: Option<AudioCodec>, video: Option<VideoCodec>) -> String {
    let mut names: Vec<&str> = Vec::new();
    names.extend(video.map(|v| v.name(container)));
    names.extend(audio.map(|AudioCodec::Opus| "opus"));
    names.join(",")
}

fn top_name(top: TopLevel) -> &'static str {
    match top {
        TopLevel::Audio => "audio",
        TopLevel::Video => "video",
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", top_name(self.top), self.container.extension())?;
        match (self.audio, self.video) {
            (None, None) if self.top == TopLevel::Audio => write!(f, ";codecs=opus"),
            (None, None) => Ok(()),
            (a, v) => write!(f, ";codecs={}", codecs_list(self.container, a, v)),
        }
    }
}

impl Recording {
    /// The full MIME type with codecs, as `mime_type()` reports it once recording started.
    pub fn mime_type(&self) -> String {
        let codecs = codecs_list(self.container, self.audio, self.video);
        format!("{}/{};codecs={codecs}", top_name(self.top), self.container.extension())
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
        assert_eq!(f.to_string(), "audio/webm;codecs=opus");
        let ogg = Format::for_tracks(Format::parse("audio/ogg").unwrap(), true, false).unwrap();
        assert_eq!(ogg.mime_type(), "audio/ogg;codecs=opus");
        let vp9 = Format::parse("video/webm; codecs=\"vp09.00.10.08, opus\"").unwrap().unwrap();
        assert_eq!(vp9.video, Some(VideoCodec::Vp9));
    }

    #[test]
    fn rejects_what_it_cannot_produce() {
        for bad in [
            "audio",
            "audio/",
            "/ogg",
            "audio/mp4;codecs=mp4a.40.2",
            "video/mp4;codecs=vp8",
            "video/webm;codecs=avc1",
            "audio/ogg;codecs=vorbis",
            "audio/webm;codecs=",
            "audio/ogg;codecs",
            "text/plain",
            "audio/webm;codecs=vp8",
            "video/ogg",
            "video/webm;codecs=h264",
            "video/webm;codecs=vp09.02.10.10",
            "video/webm;codecs=av01.1.04M.08",
        ] {
            assert!(Format::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert_eq!(Format::parse("").unwrap(), None);
    }

    #[test]
    fn the_tracks_decide_what_is_written() {
        let parse = |m: &str| Format::parse(m).unwrap();
        let mime = |m: &str, a, v| Format::for_tracks(parse(m), a, v).map(|r| r.mime_type());
        assert_eq!(mime("", true, false).unwrap(), "audio/ogg;codecs=opus");
        assert_eq!(mime("", true, true).unwrap(), "video/webm;codecs=vp8,opus");
        assert_eq!(mime("", false, true).unwrap(), "video/webm;codecs=vp8");
        assert_eq!(mime("video/webm;codecs=vp9", true, true).unwrap(), "video/webm;codecs=vp9,opus");
        assert_eq!(mime("video/webm", true, false).unwrap(), "video/webm;codecs=opus");
        assert_eq!(mime("video/webm;codecs=vp8,opus", false, true).unwrap(), "video/webm;codecs=vp8");
        // The spec's NotSupportedError cases.
        assert!(mime("audio/webm", true, true).is_err());
        assert!(mime("audio/ogg", false, true).is_err());
        assert!(mime("video/webm;codecs=vp8", true, false).is_err());
        // MP4, as Chromium names its codecs there.
        assert_eq!(mime("video/mp4", true, true).unwrap(), "video/mp4;codecs=avc1,opus");
        assert_eq!(mime("video/mp4;codecs=av01,opus", true, true).unwrap(), "video/mp4;codecs=av01,opus");
        assert_eq!(mime("video/mp4;codecs=vp9", false, true).unwrap(), "video/mp4;codecs=vp09");
        assert_eq!(mime("video/mp4;codecs=avc1.42E01F", true, true).unwrap(), "video/mp4;codecs=avc1,opus");
        assert_eq!(mime("audio/mp4", true, false).unwrap(), "audio/mp4;codecs=opus");
    }
}
