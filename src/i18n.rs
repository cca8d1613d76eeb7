//! Translations: every string the window and the CLI show, from one Fluent catalogue per
//! language (`assets/locales/<tag>/mediarecorder.ftl`, compiled in so an installed binary never
//! misses them). The language follows the system locale as gettext reads it; a locale we have
//! no catalogue for gets English.
//!
//! The library's own error details (`RecorderError` messages) stay English: they are the API's,
//! and the app and CLI put them after a translated sentence.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
pub use fluent_bundle::FluentArgs;
use fluent_bundle::{FluentResource, FluentValue};

/// The languages with a complete catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// English (the source language).
    English,
    /// Simplified Chinese.
    SimplifiedChinese,
}

impl Language {
    /// Every language, English first.
    pub const ALL: [Language; 2] = [Language::English, Language::SimplifiedChinese];

    /// The BCP 47 tag, which names its catalogue's directory.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::SimplifiedChinese => "zh-CN",
        }
    }

    /// The catalogue's Fluent source.
    pub fn catalogue(self) -> &'static str {
        match self {
            Language::English => include_str!("../assets/locales/en/mediarecorder.ftl"),
            Language::SimplifiedChinese => include_str!("../assets/locales/zh-CN/mediarecorder.ftl"),
        }
    }

    /// The language of a POSIX locale name (`zh_CN.UTF-8`, `en_GB`, `zh-Hans`, `C`), or `None`
    /// when we have no catalogue for it.
    pub fn from_locale(name: &str) -> Option<Language> {
        let name = name.split(['.', '@']).next().unwrap_or_default().to_ascii_lowercase();
        let mut parts = name.split(['_', '-']);
        match (parts.next()?, parts.next()) {
            ("c" | "posix" | "en", _) => Some(Language::English),
            // Traditional Chinese regions and script are not Simplified Chinese.
            ("zh", None | Some("cn" | "sg" | "my" | "hans")) => Some(Language::SimplifiedChinese),
            _ => None,
        }
    }

    fn index(self) -> usize {
        match self {
            Language::English => 0,
            Language::SimplifiedChinese => 1,
        }
    }
}

/// The language the system's locale asks for: `LANGUAGE` (a priority list) unless the locale
/// is C, then `LC_ALL`, `LC_MESSAGES`, `LANG`, as gettext reads them; English otherwise.
pub fn system_language() -> Language {
    let var = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
    let locale = var("LC_ALL").or_else(|| var("LC_MESSAGES")).or_else(|| var("LANG"));
    let is_c = locale.as_deref().is_none_or(|l| matches!(l, "C" | "POSIX") || l.starts_with("C."));
    if !is_c {
        if let Some(list) = var("LANGUAGE") {
            if let Some(found) = list.split(':').find_map(Language::from_locale) {
                return found;
            }
        }
    }
    locale.as_deref().and_then(Language::from_locale).unwrap_or(Language::English)
}

const UNSET: u8 = u8::MAX;
static CURRENT: AtomicU8 = AtomicU8::new(UNSET);

/// The language strings are given in: the system's unless [`set_language`] chose one.
pub fn language() -> Language {
    match CURRENT.load(Ordering::Relaxed) {
        UNSET => {
            let system = system_language();
            // Only the first caller sets it; a concurrent `set_language` wins.
            let _ = CURRENT.compare_exchange(UNSET, system.index() as u8, Ordering::Relaxed, Ordering::Relaxed);
            language()
        }
        i => Language::ALL.get(usize::from(i)).copied().unwrap_or(Language::English),
    }
}

/// Chooses the language for the whole process (tests, or a user's explicit choice).
pub fn set_language(language: Language) {
    CURRENT.store(language.index() as u8, Ordering::Relaxed);
}

fn bundle(language: Language) -> &'static FluentBundle<FluentResource> {
    static BUNDLES: [OnceLock<FluentBundle<FluentResource>>; 2] = [OnceLock::new(), OnceLock::new()];
    BUNDLES[language.index()].get_or_init(|| {
        let tag = language.tag().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![tag]);
        // Unicode isolation marks around arguments draw as boxes in egui's fonts.
        bundle.set_use_isolating(false);
        // A syntax error keeps the rest of the catalogue (the tests below fail on any).
        let resource = FluentResource::try_new(language.catalogue().to_owned()).unwrap_or_else(|(partial, _)| partial);
        bundle.add_resource_overriding(resource);
        bundle
    })
}

/// The message `id` in the current language (English when the catalogue lacks it, the id
/// itself when no catalogue has it: visible, and caught by the tests).
pub fn tr(id: &str, args: Option<&FluentArgs<'_>>) -> String {
    for language in [language(), Language::English] {
        let bundle = bundle(language);
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            return bundle.format_pattern(pattern, args, &mut errors).into_owned();
        }
    }
    id.to_owned()
}

/// An argument for [`t!`]: text or a number (numbers choose plural forms).
pub fn arg<'a>(value: impl Into<FluentValue<'a>>) -> FluentValue<'a> {
    value.into()
}

/// A translated string: `t!("record")`, `t!("saved-to", path = p.display().to_string())`.
#[macro_export]
macro_rules! t {
    ($id:literal) => {
        $crate::i18n::tr($id, None)
    };
    ($id:literal, $($key:ident = $value:expr),+ $(,)?) => {{
        let mut args = $crate::i18n::FluentArgs::new();
        $( args.set(stringify!($key), $crate::i18n::arg($value)); )+
        $crate::i18n::tr($id, Some(&args))
    }};
}

/// A device's label as the user reads it: the words the library adds to its own sources'
/// labels ([`crate::devices::labels`]) translated, everything else (a microphone's own name,
/// sizes, rates) kept.
pub fn device_label(label: &str) -> String {
    use crate::devices::labels;
    if let Some(name) = label.strip_prefix(labels::DEFAULT_PREFIX) {
        return crate::t!("device-default", name = device_label(name));
    }
    if let Some(output) = label.strip_prefix(labels::SYSTEM_SOUND_PREFIX) {
        return crate::t!("device-system-sound", output = output);
    }
    let words = [
        (labels::TEST_TONE, crate::t!("device-test-tone")),
        (labels::TEST_PATTERN, crate::t!("device-test-pattern")),
        (labels::TEST_CANVAS, crate::t!("device-test-canvas")),
        (labels::DISPLAY, crate::t!("device-display")),
        // Shared through the desktop's portal: "Screen (1280×720, 30 fps)".
        (labels::SCREEN, crate::t!("device-screen")),
        (labels::WINDOW, crate::t!("device-window")),
    ];
    for (english, translated) in words {
        if let Some(rest) = label.strip_prefix(english).filter(|r| r.is_empty() || r.starts_with(" (")) {
            return format!("{translated}{rest}");
        }
    }
    if let Some(rest) = label.strip_prefix(labels::SCREEN).and_then(|r| r.strip_prefix(' ')) {
        if rest.starts_with(|c: char| c.is_ascii_digit()) {
            return format!("{} {rest}", crate::t!("device-screen"));
        }
    }
    if let Some(title) = label.strip_prefix(labels::WINDOW).and_then(|r| r.strip_prefix(": ")) {
        return format!("{}: {title}", crate::t!("device-window"));
    }
    label.to_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// Each message's id and the variables it uses, from a catalogue's source.
    fn messages(language: Language) -> BTreeMap<String, BTreeSet<String>> {
        let resource = match FluentResource::try_new(language.catalogue().to_owned()) {
            Ok(r) => r,
            Err((_, errors)) => panic!("{} does not parse: {errors:?}", language.tag()),
        };
        let mut out = BTreeMap::new();
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(value) = &m.value {
                    collect_variables(value, &mut vars);
                }
                assert!(out.insert(m.id.name.to_owned(), vars).is_none(), "{} twice in {}", m.id.name, language.tag());
            }
        }
        out
    }

    fn collect_variables(pattern: &fluent_syntax::ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                match expression {
                    Expression::Inline(InlineExpression::VariableReference { id }) => {
                        out.insert(id.name.to_owned());
                    }
                    Expression::Select { selector, variants } => {
                        if let InlineExpression::VariableReference { id } = selector {
                            out.insert(id.name.to_owned());
                        }
                        for v in variants {
                            collect_variables(&v.value, out);
                        }
                    }
                    Expression::Inline(_) => {}
                }
            }
        }
    }

    #[test]
    fn every_catalogue_has_every_message_with_the_same_arguments() {
        let english = messages(Language::English);
        assert!(english.len() > 50, "{} messages", english.len());
        for language in &Language::ALL[1..] {
            let other = messages(*language);
            let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{}: missing {missing:?}, extra {extra:?}", language.tag());
            for (id, vars) in &english {
                assert_eq!(&other[id], vars, "{}: {id} uses other arguments", language.tag());
            }
        }
    }

    /// Every `t!("id"…)` in the sources names a message: a string added in code but not to the
    /// catalogues fails here.
    #[test]
    fn every_string_the_code_asks_for_is_in_the_catalogue() {
        let english = messages(Language::English);
        let mut asked = BTreeSet::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n.rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    // `t!("…` itself, not the end of `format!("…`.
                    for (at, _) in text.match_indices("t!(\"") {
                        if text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                            continue;
                        }
                        let id = text[at + 4..].split('"').next().unwrap();
                        asked.insert(id.to_owned());
                    }
                }
            }
        }
        assert!(asked.len() > 50, "{} strings found in the sources", asked.len());
        let missing: Vec<_> = asked.iter().filter(|id| !english.contains_key(*id)).collect();
        assert!(missing.is_empty(), "not in the catalogue: {missing:?}");
    }

    #[test]
    fn device_labels_translate_only_the_words_the_library_adds() {
        let en = device_label;
        // The current language is the process's: compare against the catalogue, whichever it is.
        let tone = tr("device-test-tone", None);
        assert_eq!(en("Test tone (440 Hz)"), format!("{tone} (440 Hz)"));
        let screen = tr("device-screen", None);
        assert_eq!(en("Screen 2 (1280×720, 15 fps)"), format!("{screen} 2 (1280×720, 15 fps)"));
        assert!(en("Default – Test tone (440 Hz)").contains(&format!("{tone} (440 Hz)")));
        // A microphone's own name is its own, even when it starts with one of those words.
        assert_eq!(en("Screensaver Mic"), "Screensaver Mic");
        assert_eq!(en("Test tones USB"), "Test tones USB");
        assert_eq!(en("Virtual Mic B (880 Hz)"), "Virtual Mic B (880 Hz)");
        let mut args = FluentArgs::new();
        args.set("name", "x");
        assert_eq!(format_in(Language::SimplifiedChinese, "device-default", &args), "默认 – x");
        assert_eq!(format_in(Language::SimplifiedChinese, "device-test-tone", &FluentArgs::new()), "测试音");
    }

    fn format_in(language: Language, id: &str, args: &FluentArgs<'_>) -> String {
        let bundle = bundle(language);
        let message = bundle.get_message(id).unwrap().value().unwrap();
        bundle.format_pattern(message, Some(args), &mut Vec::new()).into_owned()
    }

    #[test]
    fn locales_choose_languages() {
        assert_eq!(Language::from_locale("zh_CN.UTF-8"), Some(Language::SimplifiedChinese));
        assert_eq!(Language::from_locale("zh_SG"), Some(Language::SimplifiedChinese));
        assert_eq!(Language::from_locale("zh-Hans"), Some(Language::SimplifiedChinese));
        assert_eq!(Language::from_locale("zh_TW.UTF-8"), None);
        assert_eq!(Language::from_locale("en_GB.UTF-8"), Some(Language::English));
        assert_eq!(Language::from_locale("C.UTF-8"), Some(Language::English));
        assert_eq!(Language::from_locale("de_DE@euro"), None);
    }

    #[test]
    fn arguments_and_plurals_are_filled_in() {
        let bundle = bundle(Language::English);
        let mut args = FluentArgs::new();
        args.set("count", 1);
        let message = bundle.get_message("unfinished-recordings").unwrap().value().unwrap();
        let one = bundle.format_pattern(message, Some(&args), &mut Vec::new()).into_owned();
        args.set("count", 3);
        let three = bundle.format_pattern(message, Some(&args), &mut Vec::new()).into_owned();
        assert!(one.starts_with("1 earlier recording never"), "{one}");
        assert!(three.starts_with("3 earlier recordings never"), "{three}");
    }
}
