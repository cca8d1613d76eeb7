//! Rewriting a recorded fragmented MP4 as a progressive one: `ftyp`, then a `moov` holding
//! every sample's time, size, place and sync flag, then one `mdat` with the samples as they
//! were recorded. Players and editors seek it at once, and its durations are the real ones (a
//! browser shows a fragmented file's first fragment as its length until it has played it).

use std::io::{self, Read, Write};

use mp4_atom::{
    Co64, Decode, Edts, Elst, ElstEntry, Encode, FourCC, Ftyp, Moof, Moov, Stco, Stsc, StscEntry, Stss, Stsz,
    StszSamples, Stts, SttsEntry,
};

use super::{enc_err, SYNC_SAMPLE};
use crate::container::Damage;
use crate::error::{IoError, RecorderError};

/// What [`finalize`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Finalized {
    /// Media duration in milliseconds (the longest track's, as `mvhd` says).
    pub duration_ms: f64,
    /// Fragments read.
    pub fragments: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// A sample as found in a fragment.
#[derive(Debug, Clone, Copy)]
struct Sample {
    /// Decode time, the track's timescale.
    time: u64,
    /// As the fragment said (the last of each fragment's is only nominal).
    duration: u32,
    size: u32,
    sync: bool,
    /// Offset in the output's sample data (all kept `mdat` payloads, in order).
    offset: u64,
}

/// A track's samples, each fragment's run a chunk of the output.
#[derive(Debug, Default)]
struct TrackSamples {
    samples: Vec<Sample>,
    /// Samples per chunk, in order.
    chunks: Vec<u32>,
}

/// The input's layout: what the first pass learns.
struct Layout {
    ftyp: Option<Ftyp>,
    moov: Moov,
    tracks: Vec<(u32, TrackSamples)>,
    /// The `mdat` payloads to copy, by their index among the input's `mdat` boxes.
    kept_mdats: usize,
    data_bytes: u64,
    fragments: usize,
}

/// A box header: its type, the header's length and the body's.
struct BoxHeader {
    kind: [u8; 4],
    header_len: u64,
    body_len: u64,
}

/// Reads a box header; `Ok(None)` at a clean end of the stream, `Err(UnexpectedEof)` when it
/// ends inside one.
fn read_header(r: &mut impl Read) -> io::Result<Option<BoxHeader>> {
    let mut head = [0u8; 8];
    let mut got = 0;
    while got < 8 {
        match r.read(&mut head[got..])? {
            0 if got == 0 => return Ok(None),
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => got += n,
        }
    }
    let size = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
    let kind = [head[4], head[5], head[6], head[7]];
    let (header_len, total) = match size {
        1 => {
            let mut large = [0u8; 8];
            r.read_exact(&mut large)?;
            (16, u64::from_be_bytes(large))
        }
        // "To the end of the file": this writer never makes one.
        0 => return Err(io::Error::new(io::ErrorKind::InvalidData, "a box of unknown size")),
        n => (8, n),
    };
    let body_len = total
        .checked_sub(header_len)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "a box smaller than its header"))?;
    Ok(Some(BoxHeader { kind, header_len, body_len }))
}

fn read_body(r: &mut impl Read, header: &BoxHeader) -> io::Result<Vec<u8>> {
    let mut whole = Vec::with_capacity(usize::try_from(header.header_len + header.body_len).unwrap_or(0));
    // The decoders take whole boxes: the header again, in its short form.
    let total = u32::try_from(8 + header.body_len).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
    whole.extend_from_slice(&total.to_be_bytes());
    whole.extend_from_slice(&header.kind);
    let read = r.take(header.body_len).read_to_end(&mut whole)?;
    if (read as u64) < header.body_len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(whole)
}

fn skip(r: &mut impl Read, len: u64) -> io::Result<()> {
    let skipped = io::copy(&mut r.take(len), &mut io::sink())?;
    if skipped < len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}

fn damaged(what: impl std::fmt::Display) -> RecorderError {
    RecorderError::Encoding(format!("the MP4 stream is damaged: {what}"))
}

/// Rewrites the fragmented MP4 read from `open()` (called twice) into `out`.
///
/// # Errors
/// `Encoding` when the input is not a fragmented MP4 this recorder wrote (or is damaged, with
/// [`Damage::Refuse`]); `Io` (with no path: the caller knows it) when reading or writing fails.
pub fn finalize<R: Read>(
    mut open: impl FnMut() -> io::Result<R>,
    out: &mut impl Write,
    damage: Damage,
) -> Result<Finalized, RecorderError> {
    let read_err = |source| RecorderError::Io(IoError { what: "cannot read the recording".into(), path: None, source });
    let write_err = |source| RecorderError::Io(IoError { what: "cannot write the file".into(), path: None, source });
    let layout = measure(open().map_err(read_err)?, damage)?;

    let mut ftyp = layout.ftyp.clone().unwrap_or(Ftyp {
        major_brand: b"isom".into(),
        minor_version: 512,
        compatible_brands: vec![b"isom".into()],
    });
    // No fragments in the saved file.
    ftyp.compatible_brands.retain(|b| *b != FourCC::new(b"iso6"));
    let mut head = Vec::new();
    ftyp.encode(&mut head).map_err(enc_err)?;
    let large = layout.data_bytes + 16 > u64::from(u32::MAX);
    let mdat_header_len: u64 = if large { 16 } else { 8 };
    // The moov's size does not depend on the offsets it holds (fixed-width fields): encoded
    // once to learn it, then again with the offsets.
    let (mut moov, duration_ms) = progressive_moov(&layout, 0, large)?;
    let mut probe = Vec::new();
    moov.encode(&mut probe).map_err(enc_err)?;
    let data_at = head.len() as u64 + probe.len() as u64 + mdat_header_len;
    (moov, _) = progressive_moov(&layout, data_at, large)?;
    moov.encode(&mut head).map_err(enc_err)?;
    if large {
        head.extend_from_slice(&1u32.to_be_bytes());
        head.extend_from_slice(b"mdat");
        head.extend_from_slice(&(layout.data_bytes + 16).to_be_bytes());
    } else {
        head.extend_from_slice(&u32::try_from(layout.data_bytes + 8).map_err(enc_err)?.to_be_bytes());
        head.extend_from_slice(b"mdat");
    }
    out.write_all(&head).map_err(write_err)?;

    // Second pass: the kept samples, as recorded.
    let mut r = open().map_err(read_err)?;
    let mut mdats = 0;
    let mut copied = 0u64;
    while mdats < layout.kept_mdats {
        let Some(header) = read_header(&mut r).map_err(read_err)? else { break };
        if &header.kind == b"mdat" {
            let n = io::copy(&mut (&mut r).take(header.body_len), out).map_err(write_err)?;
            if n < header.body_len {
                return Err(damaged("the recording changed while it was saved"));
            }
            copied += n;
            mdats += 1;
        } else {
            skip(&mut r, header.body_len).map_err(read_err)?;
        }
    }
    if copied != layout.data_bytes {
        return Err(damaged("the recording changed while it was saved"));
    }
    Ok(Finalized { duration_ms, fragments: layout.fragments, bytes: head.len() as u64 + copied })
}

/// First pass: the init segment, and every whole fragment's samples. With
/// [`Damage::EndBefore`] the stream ends before the first fragment that is not whole.
fn measure(mut r: impl Read, damage: Damage) -> Result<Layout, RecorderError> {
    let mut ftyp = None;
    let mut moov: Option<Moov> = None;
    let mut tracks: Vec<(u32, TrackSamples)> = Vec::new();
    let mut pending: Option<(u64, Moof)> = None;
    let (mut pos, mut mdats, mut kept_mdats, mut data_bytes, mut fragments) = (0u64, 0usize, 0usize, 0u64, 0usize);
    let torn = |e: io::Error| -> Result<(), RecorderError> {
        match (damage, e.kind()) {
            (Damage::EndBefore, io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData) => Ok(()),
            (_, io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData) => Err(damaged(e)),
            _ => Err(RecorderError::Io(IoError { what: "cannot read the recording".into(), path: None, source: e })),
        }
    };
    loop {
        let header = match read_header(&mut r) {
            Ok(Some(h)) => h,
            Ok(None) => break,
            Err(e) => {
                torn(e)?;
                break;
            }
        };
        let at = pos;
        pos += header.header_len + header.body_len;
        match &header.kind {
            b"ftyp" | b"moov" | b"moof" => {
                let bytes = match read_body(&mut r, &header) {
                    Ok(b) => b,
                    Err(e) => {
                        torn(e)?;
                        break;
                    }
                };
                let buf = &mut &bytes[..];
                match &header.kind {
                    b"ftyp" => ftyp = Some(Ftyp::decode(buf).map_err(damaged)?),
                    b"moov" => {
                        let m = Moov::decode(buf).map_err(damaged)?;
                        tracks = m.trak.iter().map(|t| (t.tkhd.track_id, TrackSamples::default())).collect();
                        moov = Some(m);
                    }
                    _ => match Moof::decode(buf) {
                        Ok(m) => pending = Some((at, m)),
                        Err(e) => {
                            torn(io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
                            break;
                        }
                    },
                }
            }
            b"mdat" => {
                if let Err(e) = skip(&mut r, header.body_len) {
                    torn(e)?;
                    break;
                }
                mdats += 1;
                let Some((moof_at, moof)) = pending.take() else { continue };
                let payload_at = at + header.header_len;
                add_fragment(&mut tracks, &moof, moof_at, (payload_at, header.body_len), data_bytes)?;
                data_bytes += header.body_len;
                kept_mdats = mdats;
                fragments += 1;
            }
            _ => {
                if let Err(e) = skip(&mut r, header.body_len) {
                    torn(e)?;
                    break;
                }
            }
        }
    }
    let moov = moov.ok_or_else(|| damaged("it has no init segment (moov)"))?;
    Ok(Layout { ftyp, moov, tracks, kept_mdats, data_bytes, fragments })
}

/// Adds a fragment's samples; `mdat` is its payload's place and length in the input,
/// `data_before` the sample bytes kept before it.
fn add_fragment(
    tracks: &mut [(u32, TrackSamples)],
    moof: &Moof,
    moof_at: u64,
    (payload_at, payload_len): (u64, u64),
    data_before: u64,
) -> Result<(), RecorderError> {
    for traf in &moof.traf {
        let Some((_, track)) = tracks.iter_mut().find(|(id, _)| *id == traf.tfhd.track_id) else {
            return Err(damaged(format!("a fragment of track {}, which the init segment lacks", traf.tfhd.track_id)));
        };
        let mut time = traf.tfdt.as_ref().map_or_else(
            || track.samples.last().map_or(0, |s| s.time + u64::from(s.duration)),
            |t| t.base_media_decode_time,
        );
        let base = traf.tfhd.base_data_offset.unwrap_or(moof_at);
        for trun in &traf.trun {
            let mut at = base
                .checked_add_signed(i64::from(trun.data_offset.unwrap_or(0)))
                .ok_or_else(|| damaged("a run before the file's start"))?;
            let first = track.samples.len();
            for entry in trun.samples.iter() {
                let size = entry.size.or(traf.tfhd.default_sample_size).unwrap_or(0);
                let duration = entry.duration.or(traf.tfhd.default_sample_duration).unwrap_or(0);
                let flags = entry.flags.or(traf.tfhd.default_sample_flags).unwrap_or(SYNC_SAMPLE);
                let inside = at >= payload_at && at + u64::from(size) <= payload_at + payload_len;
                if !inside {
                    return Err(damaged("a sample outside its fragment's data"));
                }
                track.samples.push(Sample {
                    time,
                    duration,
                    size,
                    // sample_is_non_sync_sample
                    sync: flags & 0x0001_0000 == 0,
                    offset: data_before + (at - payload_at),
                });
                time += u64::from(duration);
                at += u64::from(size);
            }
            let n = u32::try_from(track.samples.len() - first).map_err(enc_err)?;
            if n > 0 {
                track.chunks.push(n);
            }
        }
    }
    Ok(())
}

/// The saved file's `moov`: the init segment's tracks with their sample tables, durations and
/// edit lists; sample data at `data_at` in the file. Also the movie's duration in ms.
fn progressive_moov(layout: &Layout, data_at: u64, large: bool) -> Result<(Moov, f64), RecorderError> {
    let mut moov = layout.moov.clone();
    moov.mvex = None;
    let mut movie_ms = 0.0f64;
    for trak in &mut moov.trak {
        let timescale = u64::from(trak.mdia.mdhd.timescale.max(1));
        let samples = layout
            .tracks
            .iter()
            .find(|(id, _)| *id == trak.tkhd.track_id)
            .map(|(_, t)| t)
            .ok_or_else(|| damaged("a track without samples"))?;
        let s = &samples.samples;
        // True durations: each sample lasts until the next one's decode time.
        let durations: Vec<u32> = s
            .iter()
            .enumerate()
            .map(|(i, x)| {
                s.get(i + 1).map_or(x.duration, |n| u32::try_from(n.time.saturating_sub(x.time)).unwrap_or(u32::MAX))
            })
            .collect();
        let media: u64 = durations.iter().map(|&d| u64::from(d)).sum();
        let stbl = &mut trak.mdia.minf.stbl;
        stbl.stts = Stts { entries: run_lengths(&durations) };
        stbl.stss = s.iter().any(|x| !x.sync).then(|| Stss {
            entries: s.iter().enumerate().filter(|(_, x)| x.sync).map(|(i, _)| i as u32 + 1).collect(),
        });
        stbl.stsz = Stsz { samples: StszSamples::Different { sizes: s.iter().map(|x| x.size).collect() } };
        stbl.stsc = Stsc { entries: chunk_runs(&samples.chunks) };
        let mut offsets = Vec::with_capacity(samples.chunks.len());
        let mut i = 0usize;
        for &n in &samples.chunks {
            offsets.push(data_at + s[i].offset);
            i += n as usize;
        }
        if large {
            stbl.co64 = Some(Co64 { entries: offsets });
            stbl.stco = None;
        } else {
            let entries = offsets.into_iter().map(|o| u32::try_from(o).map_err(enc_err)).collect::<Result<_, _>>()?;
            stbl.stco = Some(Stco { entries });
            stbl.co64 = None;
        }
        trak.mdia.mdhd.duration = media;

        // Where the track's first sample plays: its decode time less what the init segment's
        // edit skipped (Opus' pre-skip); the stored times start at 0, so an edit keeps it there.
        let skipped = trak
            .edts
            .as_ref()
            .and_then(|e| e.elst.as_ref())
            .and_then(|l| l.entries.iter().find_map(|e| e.media_time))
            .unwrap_or(0);
        let first = s.first().map_or(0, |x| x.time);
        let shift = i128::from(first) - i128::from(skipped);
        let to_ms = |units: u64| units * 1000 / timescale;
        let mut entries = Vec::new();
        let media_time = if shift > 0 {
            entries.push(ElstEntry { segment_duration: to_ms(shift as u64), media_time: None, media_rate: 1.into() });
            0
        } else {
            shift.unsigned_abs() as u64
        };
        let shown = media.saturating_sub(media_time);
        entries.push(ElstEntry { segment_duration: to_ms(shown), media_time: Some(media_time), media_rate: 1.into() });
        let track_ms = entries.iter().map(|e| e.segment_duration).sum::<u64>();
        trak.edts = Some(Edts { elst: Some(Elst { entries }) });
        trak.tkhd.duration = track_ms;
        let exact_ms = (shift.max(0) as f64 + shown as f64) * 1000.0 / timescale as f64;
        movie_ms = movie_ms.max(exact_ms);
    }
    moov.mvhd.duration = movie_ms.round() as u64;
    Ok((moov, movie_ms))
}

fn run_lengths(durations: &[u32]) -> Vec<SttsEntry> {
    let mut entries: Vec<SttsEntry> = Vec::new();
    for &d in durations {
        match entries.last_mut() {
            Some(e) if e.sample_delta == d => e.sample_count += 1,
            _ => entries.push(SttsEntry { sample_count: 1, sample_delta: d }),
        }
    }
    entries
}

/// `stsc`: a new entry where the samples per chunk change.
fn chunk_runs(chunks: &[u32]) -> Vec<StscEntry> {
    let mut entries: Vec<StscEntry> = Vec::new();
    for (i, &n) in chunks.iter().enumerate() {
        if entries.last().is_none_or(|e| e.samples_per_chunk != n) {
            entries.push(StscEntry { first_chunk: i as u32 + 1, samples_per_chunk: n, sample_description_index: 1 });
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::Muxer;
    use crate::container::VideoTrack;

    /// Three one-second fragments of Opus (50 packets each) and 30 fps video (a key frame each).
    fn recorded() -> Vec<u8> {
        let vp9 = VideoTrack { codec_id: "V_VP9", codec_private: None, width: 64, height: 48, frame_rate: 30 };
        let mut mux = super::super::Mp4Muxer::with_tracks(Some((1, 312)), Some(vp9)).unwrap();
        for second in 0..3u64 {
            for i in 0..50u64 {
                let n = second * 50 + i;
                mux.write_audio(vec![0xFC, n as u8], n * 960, 960).unwrap();
            }
            for f in 0..30u64 {
                mux.write_video(&[7; 10], second * 1000 + f * 1000 / 30, f == 0).unwrap();
            }
            mux.cut().unwrap();
        }
        mux.take_bytes()
    }

    fn save(bytes: &[u8], damage: Damage) -> Result<(Finalized, Vec<u8>), RecorderError> {
        let mut out = Vec::new();
        let f = finalize(|| Ok(std::io::Cursor::new(bytes.to_vec())), &mut out, damage)?;
        Ok((f, out))
    }

    #[test]
    fn the_saved_file_has_its_index_first_and_the_real_durations() {
        let (f, out) = save(&recorded(), Damage::Refuse).unwrap();
        assert_eq!(f.fragments, 3);
        assert_eq!(f.bytes, out.len() as u64);
        // The video is the longer track: its last frame at 2966 ms, lasting its nominal 33 ms
        // (the Opus track is 150 packets of 20 ms less the 6.5 ms pre-skip).
        assert_eq!(f.duration_ms, 2999.0);
        let ftyp_len = u32::from_be_bytes(out[..4].try_into().unwrap()) as usize;
        let moov = Moov::decode(&mut &out[ftyp_len..]).unwrap();
        assert!(moov.mvex.is_none());
        let video = &moov.trak[1].mdia.minf.stbl;
        assert_eq!(video.stss.as_ref().unwrap().entries, [1, 31, 61], "a sync sample per second");
        let deltas: u32 = video.stts.entries.iter().map(|e| e.sample_count).sum();
        assert_eq!(deltas, 90);
        assert_eq!(&out[4..8], b"ftyp");
        let audio = &moov.trak[0];
        let edit = &audio.edts.as_ref().unwrap().elst.as_ref().unwrap().entries;
        assert_eq!(edit[0].media_time, Some(312), "Opus' pre-skip is trimmed");
    }

    #[test]
    fn a_torn_last_fragment_is_left_out_when_recovering_and_refused_when_saving() {
        let bytes = recorded();
        let torn = &bytes[..bytes.len() - 40];
        let (f, _) = save(torn, Damage::EndBefore).unwrap();
        assert_eq!(f.fragments, 2);
        assert_eq!(f.duration_ms, 1999.0);
        assert!(matches!(save(torn, Damage::Refuse), Err(RecorderError::Encoding(_))));
        // Without its init segment there is nothing to play.
        assert!(save(&bytes[bytes.len() / 2..], Damage::EndBefore).is_err());
    }
}
