//! The language of what the service writes: Danish, or English when the
//! caller asks for it (`Accept-Language`).

/// A language the service writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Da,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Da => "da",
            Language::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "da" => Some(Language::Da),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// The language an `Accept-Language` header prefers among ours (RFC 9110:
    /// the highest weight wins, `da-DK` counts as `da`, `*` as the default);
    /// the default when it names none of ours.
    pub fn negotiate(header: Option<&str>, default: Language) -> Language {
        let Some(header) = header else {
            return default;
        };
        let mut best: Option<(f32, Language)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|parameter| {
                    let (name, value) = parameter.split_once('=')?;
                    (name.trim() == "q").then(|| value.trim().parse::<f32>().ok())?
                })
                .unwrap_or(1.0);
            if weight <= 0.0 {
                continue;
            }
            let primary = tag.split('-').next().unwrap_or_default();
            let language = if primary == "*" {
                Some(default)
            } else {
                Language::parse(primary)
            };
            if let Some(language) = language {
                if best.is_none_or(|(best_weight, _)| weight > best_weight) {
                    best = Some((weight, language));
                }
            }
        }
        best.map_or(default, |(_, language)| language)
    }
}

#[cfg(test)]
mod tests {
    use super::Language::{self, *};

    #[test]
    fn the_highest_weighted_language_of_ours_wins() {
        assert_eq!(Language::negotiate(Some("en"), Da), En);
        assert_eq!(Language::negotiate(Some("da-DK,da;q=0.9,en;q=0.8"), En), Da);
        assert_eq!(Language::negotiate(Some("en-GB;q=0.5, da;q=0.7"), En), Da);
        assert_eq!(Language::negotiate(Some("de, fr;q=0.8"), Da), Da);
        assert_eq!(Language::negotiate(Some("en;q=0, *"), Da), Da);
        assert_eq!(Language::negotiate(None, En), En);
        assert_eq!(Language::negotiate(Some(";;q=x,,"), Da), Da);
    }
}
