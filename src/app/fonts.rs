//! Fonts for the interface language. egui's built-in fonts have no Chinese glyphs, so for
//! Chinese a CJK font from the system (fontconfig's choice for `zh-cn`) is added *after* them:
//! Latin text keeps its look and Chinese falls through to the CJK font. The package recommends
//! `fonts-noto-cjk` or `fonts-wqy-microhei`.

use std::path::PathBuf;
use std::sync::Arc;

use crate::i18n::Language;

/// Fonts known to cover Simplified Chinese, best first, where fontconfig is not there to ask.
const KNOWN_CJK_FONTS: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
];

/// Adds what `language` needs to `ctx`'s fonts.
///
/// # Errors
/// When the language needs a font the system does not have (the window still opens; Chinese
/// then shows as boxes, so the caller says so).
pub fn install(ctx: &egui::Context, language: Language) -> Result<(), String> {
    if language != Language::SimplifiedChinese {
        return Ok(());
    }
    let (path, index) = find_cjk_font()
        .ok_or_else(|| "no Chinese font found: install fonts-noto-cjk or fonts-wqy-microhei".to_owned())?;
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut data = egui::FontData::from_owned(bytes);
    data.index = index;
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert("cjk".into(), Arc::new(data));
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push("cjk".into());
    }
    ctx.set_fonts(fonts);
    Ok(())
}

/// fontconfig's list of fonts covering `zh-cn` (a font and its face index), else a known path.
fn find_cjk_font() -> Option<(PathBuf, u32)> {
    let listed = std::process::Command::new("fc-list")
        .args([":lang=zh-cn", "file", "index", "family"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    // Lines look like `/usr/share/fonts/…/wqy-microhei.ttc: WenQuanYi Micro Hei:index=0`.
    let mut candidates: Vec<(PathBuf, u32, String)> = listed
        .lines()
        .filter_map(|line| {
            let (file, rest) = line.split_once(": ")?;
            let index = rest.rsplit_once(":index=").and_then(|(_, i)| i.trim().parse().ok()).unwrap_or(0);
            Some((PathBuf::from(file), index, rest.to_owned()))
        })
        .collect();
    // Sans, regular weight first: what a UI wants.
    let rank = |family: &str| {
        let f = family.to_ascii_lowercase();
        let sans = f.contains("sans") || f.contains("hei");
        let plain = !f.contains("bold") && !f.contains("mono") && !f.contains("light") && !f.contains("black");
        let simplified = f.contains(" sc") || f.contains("wenquanyi");
        std::cmp::Reverse((sans && plain, simplified, plain))
    };
    candidates.sort_by_key(|(_, _, family)| rank(family));
    candidates
        .into_iter()
        .map(|(path, index, _)| (path, index))
        .chain(KNOWN_CJK_FONTS.iter().map(|(p, i)| (PathBuf::from(p), *i)))
        .find(|(path, _)| path.is_file())
}
