//! Turns a streamed WebM (unknown sizes, no Duration: what every browser's MediaRecorder leaves)
//! into a finished file players can seek in: a sized Segment with SeekHead, Info with Duration,
//! Tracks, Cues (one per cluster; with video, one per cluster that opens with a key frame, on
//! the video track) ahead of the Clusters.
//!
//! Two passes over the input: the first measures each cluster as it will be written, so every
//! offset in SeekHead and Cues is known before the first byte goes out; the second writes.

use std::io::{Read, Write};

use webm_iterable::matroska_spec::{Master, MatroskaSpec};
use webm_iterable::{WebmIterator, WebmWriter, WriteOptions};

use super::{ebml_header, enc_err, TIMESTAMP_SCALE_NS};
use crate::codec::opus::packet_samples;
use crate::container::Damage;
use crate::error::{IoError, RecorderError};

/// Largest element the reader accepts, so a corrupt size field cannot make it allocate much.
/// Clusters are not read whole, so this bounds single blocks (a 4K key frame is ~1 MiB).
const MAX_ELEMENT_BYTES: usize = 32 << 20;

/// What [`finalize`] wrote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finalized {
    /// Media duration in milliseconds (the value of the Duration element).
    pub duration_ms: f64,
    /// Clusters (and cue points) written.
    pub clusters: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// The parts of the stream kept between the passes.
struct Layout {
    info: Vec<MatroskaSpec>,
    tracks: MatroskaSpec,
    /// The track the cues point at.
    cue_track: u64,
    /// Per cluster: its size once written, and the time of its cue point if it gets one.
    clusters: Vec<ClusterInfo>,
    duration_ms: f64,
}

#[derive(Debug, Clone, Copy)]
struct ClusterInfo {
    size: u64,
    /// With video, only clusters that open with a key frame are seek points.
    cue_ms: Option<u64>,
}

/// Rewrites the streamed WebM read from `open()` (called twice) into `out`.
///
/// # Errors
/// `Encoding` when the input is not a WebM stream this recorder wrote (or is damaged, with
/// [`Damage::Refuse`]), or the EBML writer fails; `Io` (with no path: the caller knows it) when
/// reading or writing fails.
pub fn finalize<R: Read>(
    mut open: impl FnMut() -> std::io::Result<R>,
    out: &mut impl Write,
    damage: Damage,
) -> Result<Finalized, RecorderError> {
    let read_err = |source| RecorderError::Io(IoError { what: "cannot read the recording".into(), path: None, source });
    let layout = measure(open().map_err(read_err)?, damage)?;

    // Offsets are relative to the Segment's data. Sizes of SeekHead and Cues depend on the
    // offsets they hold, so iterate until they stop changing (two rounds in practice).
    let info = encode(&MatroskaSpec::Info(Master::Full(layout.info.clone())))?;
    let tracks = encode(&layout.tracks)?;
    let (mut seek_head, mut cues) = (Vec::new(), Vec::new());
    for _ in 0..8 {
        let info_at = seek_head.len() as u64;
        let tracks_at = info_at + info.len() as u64;
        let cues_at = tracks_at + tracks.len() as u64;
        let clusters_at = cues_at + cues.len() as u64;
        let new_seek_head =
            encode(&seek_head_tag(&[(0x1549A966, info_at), (0x1654AE6B, tracks_at), (0x1C53BB6B, cues_at)]))?;
        let new_cues = encode(&cues_tag(&layout.clusters, layout.cue_track, clusters_at))?;
        let stable = new_seek_head.len() == seek_head.len() && new_cues.len() == cues.len();
        seek_head = new_seek_head;
        cues = new_cues;
        if stable {
            break;
        }
    }
    let head_len = (seek_head.len() + info.len() + tracks.len() + cues.len()) as u64;
    let segment_len = head_len + layout.clusters.iter().map(|c| c.size).sum::<u64>();

    let write_err = |source| RecorderError::Io(IoError { what: "cannot write the file".into(), path: None, source });
    let mut header = WebmWriter::new(Vec::new());
    header.write(&ebml_header()).map_err(enc_err)?;
    let mut bytes = header.into_inner().map_err(enc_err)?;
    bytes.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0x01]);
    bytes.extend_from_slice(&segment_len.to_be_bytes()[1..]); // 8-byte size vint
    for part in [&seek_head, &info, &tracks, &cues] {
        bytes.extend_from_slice(part);
    }
    out.write_all(&bytes).map_err(write_err)?;
    let mut written = bytes.len() as u64;

    let mut clusters = 0usize;
    for_each_element(open().map_err(read_err)?, damage, |tag| {
        if let MatroskaSpec::Cluster(Master::Full(_)) = tag {
            let encoded = encode(&tag)?;
            if layout.clusters.get(clusters).map(|c| c.size) != Some(encoded.len() as u64) {
                return Err(RecorderError::Encoding("the recording changed while it was being saved".into()));
            }
            out.write_all(&encoded).map_err(write_err)?;
            written += encoded.len() as u64;
            clusters += 1;
        }
        Ok(())
    })?;
    if clusters != layout.clusters.len() {
        return Err(RecorderError::Encoding("the recording changed while it was being saved".into()));
    }
    Ok(Finalized { duration_ms: layout.duration_ms, clusters, bytes: written })
}

fn measure(input: impl Read, damage: Damage) -> Result<Layout, RecorderError> {
    let mut info = None;
    let mut tracks = None;
    let mut kinds = TrackKinds::default();
    let mut codec_delay_ms = 0.0;
    let mut clusters = Vec::new();
    let mut audio_end_ms = 0.0f64;
    let mut video = VideoSpan::default();
    for_each_element(input, damage, |tag| {
        match tag {
            MatroskaSpec::Info(Master::Full(children)) => info = Some(known_info(children)),
            MatroskaSpec::Tracks(Master::Full(ref entries)) => {
                codec_delay_ms = find_codec_delay(entries) as f64 / 1e6;
                kinds = TrackKinds::of(entries);
                tracks = Some(known_tracks(entries));
            }
            MatroskaSpec::Cluster(Master::Full(ref children)) => {
                let cluster_ms = children
                    .iter()
                    .find_map(|c| if let MatroskaSpec::Timestamp(t) = c { Some(*t) } else { None })
                    .ok_or_else(|| RecorderError::Encoding("a cluster has no timestamp".into()))?;
                // Audio only: every cluster is a seek point. With video: the cluster's first
                // video block must be a key frame.
                let mut cue_ms = kinds.video.is_none().then_some(cluster_ms);
                let mut first_video = true;
                for child in children {
                    match block_times(child, cluster_ms) {
                        Some(b) if Some(b.track) == kinds.video => {
                            if std::mem::take(&mut first_video) && b.keyframe {
                                cue_ms = Some(b.start_ms.max(0.0) as u64);
                            }
                            video.add(b.start_ms);
                        }
                        Some(b) => audio_end_ms = audio_end_ms.max(b.end_ms),
                        None => {}
                    }
                }
                clusters.push(ClusterInfo { size: encode(&tag)?.len() as u64, cue_ms });
            }
            _ => {}
        }
        Ok(())
    })?;
    let mut info = info.ok_or_else(|| RecorderError::Encoding("the recording has no Info".into()))?;
    let tracks = tracks.ok_or_else(|| RecorderError::Encoding("the recording has no Tracks".into()))?;
    // Audio blocks are stamped with the encoder's pre-skip included (CodecDelay); video blocks
    // are on the media timeline already.
    let duration_ms = (audio_end_ms - codec_delay_ms).max(video.end_ms()).max(0.0);
    info.push(MatroskaSpec::Duration(duration_ms * 1e6 / TIMESTAMP_SCALE_NS as f64));
    Ok(Layout { info, tracks, cue_track: kinds.video.unwrap_or(1), clusters, duration_ms })
}

/// Which track number is the video, if any.
#[derive(Default)]
struct TrackKinds {
    video: Option<u64>,
}

impl TrackKinds {
    fn of(entries: &[MatroskaSpec]) -> TrackKinds {
        let video = entries
            .iter()
            .filter_map(|e| if let MatroskaSpec::TrackEntry(Master::Full(c)) = e { Some(c) } else { None })
            .find(|c| c.iter().any(|f| matches!(f, MatroskaSpec::TrackType(1))))
            .and_then(|c| c.iter().find_map(|f| if let MatroskaSpec::TrackNumber(n) = f { Some(*n) } else { None }));
        TrackKinds { video }
    }
}

/// The video track's extent: a frame lasts until the next; the last one as long as the one
/// before it.
#[derive(Default)]
struct VideoSpan {
    last_ms: Option<f64>,
    last_interval_ms: f64,
}

impl VideoSpan {
    fn add(&mut self, start_ms: f64) {
        if let Some(last) = self.last_ms {
            if start_ms > last {
                self.last_interval_ms = start_ms - last;
            }
        }
        self.last_ms = Some(self.last_ms.map_or(start_ms, |l| l.max(start_ms)));
    }

    fn end_ms(&self) -> f64 {
        self.last_ms.map_or(0.0, |l| l + self.last_interval_ms)
    }
}

/// Streams the top-level elements (Info, Tracks and Clusters whole) to `f`. With
/// [`Damage::EndBefore`], a read error after the first cluster ends the stream there: the
/// cluster it tore is handed over with the blocks read whole before the damage (the reader
/// yields only whole elements), or left out if it has none.
///
/// Clusters are gathered here from the element stream rather than buffered by the iterator:
/// its buffering of unknown-size Clusters recurses once per following cluster, which
/// overflowed the stack on an hour-long recording.
fn for_each_element(
    input: impl Read,
    damage: Damage,
    mut f: impl FnMut(MatroskaSpec) -> Result<(), RecorderError>,
) -> Result<(), RecorderError> {
    let mut it = WebmIterator::new(
        input,
        &[
            MatroskaSpec::Info(Master::Start),
            MatroskaSpec::Tracks(Master::Start),
            MatroskaSpec::BlockGroup(Master::Start),
        ],
    );
    it.set_max_allowable_tag_size(Some(MAX_ELEMENT_BYTES));
    let mut saw_segment = false;
    let mut saw_cluster = false;
    let mut cluster: Option<Vec<MatroskaSpec>> = None;
    for tag in it {
        let tag = match tag {
            Ok(tag) => tag,
            Err(_) if damage == Damage::EndBefore && saw_cluster => {
                return match cluster.filter(|c| has_timestamp_and_block(c)) {
                    Some(children) => f(MatroskaSpec::Cluster(Master::Full(known_cluster(children)))),
                    None => Ok(()),
                };
            }
            Err(e) => return Err(RecorderError::Encoding(format!("damaged WebM: {e}"))),
        };
        match tag {
            MatroskaSpec::Cluster(Master::Start) => {
                if let Some(children) = cluster.replace(Vec::new()) {
                    f(MatroskaSpec::Cluster(Master::Full(known_cluster(children))))?;
                }
                saw_cluster = true;
            }
            MatroskaSpec::Cluster(Master::End) => {
                if let Some(children) = cluster.take() {
                    f(MatroskaSpec::Cluster(Master::Full(known_cluster(children))))?;
                }
            }
            MatroskaSpec::Cluster(Master::Full(children)) => {
                f(MatroskaSpec::Cluster(Master::Full(known_cluster(children))))?;
            }
            child if cluster.is_some() => cluster.get_or_insert_with(Vec::new).push(child),
            other => {
                saw_segment |= matches!(other, MatroskaSpec::Segment(_));
                f(other)?;
            }
        }
    }
    if !saw_segment {
        return Err(RecorderError::Encoding("not a WebM stream (no Segment)".into()));
    }
    Ok(())
}

// What is written is rebuilt from the elements this recorder's streams hold, whatever else the
// input carries: the writer does not always put an unexpected element back where it was read
// (the fuzzer found a track entry that came back out as a Segment inside Audio), and a file
// that does not read back is no file.

/// Info's fields worth keeping (Duration is written anew).
fn known_info(children: Vec<MatroskaSpec>) -> Vec<MatroskaSpec> {
    use MatroskaSpec::{MuxingApp, TimestampScale, WritingApp};
    children.into_iter().filter(|c| matches!(c, TimestampScale(_) | MuxingApp(_) | WritingApp(_))).collect()
}

/// Tracks with their entries' known fields.
fn known_tracks(entries: &[MatroskaSpec]) -> MatroskaSpec {
    let entries = entries
        .iter()
        .filter_map(|e| match e {
            MatroskaSpec::TrackEntry(Master::Full(fields)) => {
                Some(MatroskaSpec::TrackEntry(Master::Full(fields.iter().filter_map(known_track_field).collect())))
            }
            _ => None,
        })
        .collect();
    MatroskaSpec::Tracks(Master::Full(entries))
}

fn known_track_field(field: &MatroskaSpec) -> Option<MatroskaSpec> {
    use MatroskaSpec as M;
    let keep = |children: &[M], known: fn(&M) -> bool| children.iter().filter(|c| known(c)).cloned().collect();
    match field {
        M::TrackNumber(_)
        | M::TrackUID(_)
        | M::TrackType(_)
        | M::CodecID(_)
        | M::CodecPrivate(_)
        | M::CodecDelay(_)
        | M::SeekPreRoll(_)
        | M::DefaultDuration(_) => Some(field.clone()),
        M::Audio(Master::Full(c)) => {
            Some(M::Audio(Master::Full(keep(c, |x| matches!(x, M::SamplingFrequency(_) | M::Channels(_))))))
        }
        M::Video(Master::Full(c)) => {
            Some(M::Video(Master::Full(keep(c, |x| matches!(x, M::PixelWidth(_) | M::PixelHeight(_))))))
        }
        _ => None,
    }
}

/// A cluster's time and blocks.
fn known_cluster(children: Vec<MatroskaSpec>) -> Vec<MatroskaSpec> {
    use MatroskaSpec as M;
    children
        .into_iter()
        .filter_map(|c| match c {
            M::Timestamp(_) | M::SimpleBlock(_) => Some(c),
            M::BlockGroup(Master::Full(group)) => Some(M::BlockGroup(Master::Full(
                group
                    .into_iter()
                    .filter(|x| {
                        matches!(x, M::Block(_) | M::DiscardPadding(_) | M::BlockDuration(_) | M::ReferenceBlock(_))
                    })
                    .collect(),
            ))),
            _ => None,
        })
        .collect()
}

/// Whether a torn cluster kept anything worth keeping: its time and at least one whole block.
fn has_timestamp_and_block(children: &[MatroskaSpec]) -> bool {
    children.iter().any(|c| matches!(c, MatroskaSpec::Timestamp(_)))
        && children.iter().any(|c| matches!(c, MatroskaSpec::SimpleBlock(_) | MatroskaSpec::BlockGroup(_)))
}

fn find_codec_delay(entries: &[MatroskaSpec]) -> u64 {
    entries
        .iter()
        .filter_map(|e| if let MatroskaSpec::TrackEntry(Master::Full(c)) = e { Some(c) } else { None })
        .flatten()
        .find_map(|c| if let MatroskaSpec::CodecDelay(d) = c { Some(*d) } else { None })
        .unwrap_or(0)
}

/// What finalize needs of one block.
struct BlockTimes {
    track: u64,
    start_ms: f64,
    /// The start plus the Opus packet's length less any DiscardPadding (meaningless for video,
    /// whose blocks are timed by their starts).
    end_ms: f64,
    /// A SimpleBlock flagged as a key frame.
    keyframe: bool,
}

/// Track, times and key-frame flag of a SimpleBlock or BlockGroup.
fn block_times(tag: &MatroskaSpec, cluster_ms: u64) -> Option<BlockTimes> {
    let (block, padding_ns, simple) = match tag {
        MatroskaSpec::SimpleBlock(b) => (b, 0, true),
        MatroskaSpec::BlockGroup(Master::Full(children)) => {
            let block = children.iter().find_map(|c| if let MatroskaSpec::Block(b) = c { Some(b) } else { None })?;
            let pad =
                children.iter().find_map(|c| if let MatroskaSpec::DiscardPadding(p) = c { Some(*p) } else { None });
            (block, pad.unwrap_or(0), false)
        }
        _ => return None,
    };
    // Track number vint (1 byte for tracks below 127, as written here), 16-bit relative
    // timestamp, flags, frame.
    let first = *block.first()?;
    let track_len = first.leading_zeros() as usize + 1;
    let track = if track_len == 1 { u64::from(first & 0x7f) } else { 0 };
    let rel = i16::from_be_bytes([*block.get(track_len)?, *block.get(track_len + 1)?]);
    let keyframe = simple && block.get(track_len + 2)? & 0x80 != 0;
    let frame = block.get(track_len + 3..)?;
    let samples = packet_samples(frame).unwrap_or(0);
    let start_ms = cluster_ms as f64 + f64::from(rel);
    let end_ms = start_ms + f64::from(samples) / 48.0 - padding_ns as f64 / 1e6;
    Some(BlockTimes { track, start_ms, end_ms, keyframe })
}

fn seek_head_tag(entries: &[(u32, u64)]) -> MatroskaSpec {
    MatroskaSpec::SeekHead(Master::Full(
        entries
            .iter()
            .map(|&(id, pos)| {
                MatroskaSpec::Seek(Master::Full(vec![
                    MatroskaSpec::SeekID(id.to_be_bytes().to_vec()),
                    MatroskaSpec::SeekPosition(pos),
                ]))
            })
            .collect(),
    ))
}

fn cues_tag(clusters: &[ClusterInfo], track: u64, clusters_at: u64) -> MatroskaSpec {
    let mut at = clusters_at;
    let points = clusters
        .iter()
        .filter_map(|c| {
            let point = c.cue_ms.map(|time_ms| {
                MatroskaSpec::CuePoint(Master::Full(vec![
                    MatroskaSpec::CueTime(time_ms),
                    MatroskaSpec::CueTrackPositions(Master::Full(vec![
                        MatroskaSpec::CueTrack(track),
                        MatroskaSpec::CueClusterPosition(at),
                    ])),
                ]))
            });
            at += c.size;
            point
        })
        .collect();
    MatroskaSpec::Cues(Master::Full(points))
}

/// Encodes one Segment child. The writer checks parents, so it is written inside a scratch
/// unknown-size Segment whose 12 header bytes are then dropped.
fn encode(tag: &MatroskaSpec) -> Result<Vec<u8>, RecorderError> {
    let mut w = WebmWriter::new(Vec::new());
    w.write_advanced(&MatroskaSpec::Segment(Master::Start), WriteOptions::is_unknown_sized_element())
        .map_err(enc_err)?;
    w.write(tag).map_err(enc_err)?;
    let mut bytes = std::mem::take(w.get_mut());
    bytes.drain(..12);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::webm::WebmMuxer;
    use crate::container::Muxer;

    const PRE_SKIP: u16 = 312;

    /// `packets` 20 ms Opus packets (CELT, mono: TOC 0xF8) in one cluster.
    fn stream(packets: u64) -> Vec<u8> {
        let mut m = WebmMuxer::new(1, PRE_SKIP).unwrap();
        for i in 0..packets {
            m.write_audio(vec![0xF8, 0xFF, 0xFE], u64::from(PRE_SKIP) + i * 960, 960).unwrap();
        }
        m.finish(0).unwrap();
        m.take_bytes()
    }

    fn finalized(input: &[u8], damage: Damage) -> Result<Finalized, RecorderError> {
        finalize(|| Ok(input), &mut Vec::new(), damage)
    }

    #[test]
    fn a_torn_cluster_is_kept_up_to_its_last_whole_block() {
        let whole = stream(100);
        let f = finalized(&whole, Damage::Refuse).unwrap();
        assert_eq!(f.clusters, 1);
        assert!((f.duration_ms - 2000.0).abs() < 1.0, "{}", f.duration_ms);

        // Cut inside the last block: the other 99 stay, 1.98 s.
        let torn = &whole[..whole.len() - 2];
        let f = finalized(torn, Damage::EndBefore).unwrap();
        assert_eq!(f.clusters, 1);
        assert!((f.duration_ms - 1980.0).abs() < 1.0, "{}", f.duration_ms);
        let mut out = Vec::new();
        finalize(|| Ok(torn), &mut out, Damage::EndBefore).unwrap();
        let again = finalized(&out, Damage::Refuse).unwrap();
        assert_eq!((again.clusters, again.duration_ms), (1, f.duration_ms), "the recovered file reads back whole");

        assert!(finalized(torn, Damage::Refuse).is_err(), "assembling refuses a torn stream");
    }

    #[test]
    fn a_torn_cluster_without_a_whole_block_is_left_out() {
        // One packet: the cut falls in the cluster's only block.
        let one = stream(1);
        let f = finalized(&one[..one.len() - 2], Damage::EndBefore).unwrap();
        assert_eq!((f.clusters, f.duration_ms), (0, 0.0));
    }
}
