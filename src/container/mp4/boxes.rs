//! The boxes of the init segment: file type, and a `moov` whose tracks describe the codecs.

use mp4_atom::{
    Atom, Audio, Av01, Av1c, Avc1, Avcc, Codec, Dinf, Dops, Dref, Edts, Elst, ElstEntry, FourCC, Ftyp, Hdlr, Mdhd,
    Mdia, Minf, Moov, Mvex, Mvhd, Opus, Smhd, Stbl, Stco, Stsd, Tkhd, Trak, Trex, Url, Visual, Vmhd, Vp09, VpcC,
};

use super::{enc_err, AUDIO_TIMESCALE, VIDEO_TIMESCALE};
use crate::container::VideoTrack;
use crate::error::RecorderError;

/// Matroska's name for H.264 (with `avcC` as its CodecPrivate), which the encoder reports.
pub const AVC_CODEC_ID: &str = "V_MPEG4/ISO/AVC";

/// `ftyp`: ISO base media with fragments (`iso6`) while recording, plus the codec's brand.
pub(super) fn ftyp(video: Option<&VideoTrack>, fragmented: bool) -> Ftyp {
    let mut brands: Vec<FourCC> = vec![b"isom".into(), b"iso2".into()];
    if fragmented {
        brands.push(b"iso6".into());
    }
    brands.push(b"mp41".into());
    match video.map(|v| v.codec_id) {
        Some("V_AV1") => brands.push(b"av01".into()),
        Some(AVC_CODEC_ID) => brands.push(b"avc1".into()),
        _ => {}
    }
    Ftyp { major_brand: b"isom".into(), minor_version: 512, compatible_brands: brands }
}

/// The init segment's `moov`: the tracks, with no samples, and `mvex` (their samples come in
/// fragments). Opus' pre-skip is trimmed by an edit list, as ISO/IEC 23003-5 (Opus in MP4) asks.
pub(super) fn init_moov(
    audio: Option<(u32, (u16, u16))>,
    video: Option<(u32, &VideoTrack)>,
) -> Result<Moov, RecorderError> {
    let mut trak = Vec::new();
    let mut trex = Vec::new();
    if let Some((id, (channels, pre_skip))) = audio {
        let entry = Opus {
            audio: Audio {
                data_reference_index: 1,
                channel_count: channels,
                sample_size: 16,
                sample_rate: 48_000u16.into(),
            },
            dops: Dops {
                output_channel_count: u8::try_from(channels).map_err(enc_err)?,
                pre_skip,
                input_sample_rate: 48_000,
                output_gain: 0,
                channel_mapping: None,
            },
            btrt: None,
        };
        let edit = ElstEntry { segment_duration: 0, media_time: Some(u64::from(pre_skip)), media_rate: 1.into() };
        trak.push(track(id, b"soun", AUDIO_TIMESCALE, entry.into(), None, Some(vec![edit])));
        trex.push(trex_for(id));
    }
    if let Some((id, v)) = video {
        let visual = Visual {
            data_reference_index: 1,
            width: u16::try_from(v.width).map_err(enc_err)?,
            height: u16::try_from(v.height).map_err(enc_err)?,
            ..Default::default()
        };
        let private = v.codec_private.as_deref().unwrap_or_default();
        let entry: Codec = match v.codec_id {
            "V_AV1" => {
                Av01 { visual, av1c: Av1c::decode_body(&mut &private[..]).map_err(enc_err)?, ..Default::default() }
                    .into()
            }
            "V_VP9" => Vp09 { visual, vpcc: vp9_config(v.width, v.height), ..Default::default() }.into(),
            AVC_CODEC_ID => {
                Avc1 { visual, avcc: Avcc::decode_body(&mut &private[..]).map_err(enc_err)?, ..Default::default() }
                    .into()
            }
            other => return Err(RecorderError::Encoding(format!("MP4 writer: no MP4 mapping for {other}"))),
        };
        trak.push(track(id, b"vide", VIDEO_TIMESCALE, entry, Some((v.width, v.height)), None));
        trex.push(trex_for(id));
    }
    let next_track_id = trak.len() as u32 + 1;
    Ok(Moov {
        mvhd: Mvhd { timescale: 1000, rate: 1.into(), volume: 1.into(), next_track_id, ..Default::default() },
        mvex: Some(Mvex { mehd: None, trex }),
        trak,
        ..Default::default()
    })
}

/// VP9 profile 0, 8 bits, 4:2:0, studio range, colours unspecified (as the WebM says nothing
/// either); the level from the picture size at up to 30 fps.
fn vp9_config(width: u32, height: u32) -> VpcC {
    let pixels = width * height;
    let level = match pixels {
        0..=36_864 => 10,
        36_865..=122_880 => 20,
        122_881..=245_760 => 21,
        245_761..=552_960 => 30,
        552_961..=983_040 => 31,
        983_041..=2_228_224 => 40,
        2_228_225..=8_912_896 => 50,
        _ => 60,
    };
    VpcC {
        profile: 0,
        level,
        bit_depth: 8,
        chroma_subsampling: 1,
        video_full_range_flag: false,
        color_primaries: 2,
        transfer_characteristics: 2,
        matrix_coefficients: 2,
        codec_initialization_data: Vec::new(),
    }
}

fn trex_for(track_id: u32) -> Trex {
    Trex { track_id, default_sample_description_index: 1, ..Default::default() }
}

/// A track with its one sample entry and empty sample tables.
fn track(
    id: u32,
    handler: &[u8; 4],
    timescale: u32,
    entry: Codec,
    size: Option<(u32, u32)>,
    edits: Option<Vec<ElstEntry>>,
) -> Trak {
    let (width, height) = size.unwrap_or((0, 0));
    let is_audio = handler == b"soun";
    Trak {
        tkhd: Tkhd {
            track_id: id,
            enabled: true,
            in_movie: true,
            volume: if is_audio { 1.into() } else { 0.into() },
            width: u16::try_from(width).unwrap_or(u16::MAX).into(),
            height: u16::try_from(height).unwrap_or(u16::MAX).into(),
            ..Default::default()
        },
        edts: edits.map(|entries| Edts { elst: Some(Elst { entries }) }),
        mdia: Mdia {
            mdhd: Mdhd { timescale, language: "und".into(), ..Default::default() },
            hdlr: Hdlr { handler: handler.into(), name: if is_audio { "SoundHandler" } else { "VideoHandler" }.into() },
            minf: Minf {
                vmhd: (!is_audio).then(Vmhd::default),
                smhd: is_audio.then(Smhd::default),
                dinf: Dinf { dref: Dref { entries: vec![Url { location: String::new() }.into()] } },
                stbl: Stbl { stsd: Stsd { codecs: vec![entry] }, stco: Some(Stco::default()), ..Default::default() },
                ..Default::default()
            },
        },
        ..Default::default()
    }
}
