//! Danish municipality codes (kommunekoder), as registered in CPR and DAGI.

use std::fmt;

/// The 98 municipalities of Denmark with their 3-digit codes.
const MUNICIPALITIES: &[(&str, &str)] = &[
    ("101", "København"),
    ("147", "Frederiksberg"),
    ("151", "Ballerup"),
    ("153", "Brøndby"),
    ("155", "Dragør"),
    ("157", "Gentofte"),
    ("159", "Gladsaxe"),
    ("161", "Glostrup"),
    ("163", "Herlev"),
    ("165", "Albertslund"),
    ("167", "Hvidovre"),
    ("169", "Høje-Taastrup"),
    ("173", "Lyngby-Taarbæk"),
    ("175", "Rødovre"),
    ("183", "Ishøj"),
    ("185", "Tårnby"),
    ("187", "Vallensbæk"),
    ("190", "Furesø"),
    ("201", "Allerød"),
    ("210", "Fredensborg"),
    ("217", "Helsingør"),
    ("219", "Hillerød"),
    ("223", "Hørsholm"),
    ("230", "Rudersdal"),
    ("240", "Egedal"),
    ("250", "Frederikssund"),
    ("253", "Greve"),
    ("259", "Køge"),
    ("260", "Halsnæs"),
    ("265", "Roskilde"),
    ("269", "Solrød"),
    ("270", "Gribskov"),
    ("306", "Odsherred"),
    ("316", "Holbæk"),
    ("320", "Faxe"),
    ("326", "Kalundborg"),
    ("329", "Ringsted"),
    ("330", "Slagelse"),
    ("336", "Stevns"),
    ("340", "Sorø"),
    ("350", "Lejre"),
    ("360", "Lolland"),
    ("370", "Næstved"),
    ("376", "Guldborgsund"),
    ("390", "Vordingborg"),
    ("400", "Bornholm"),
    ("410", "Middelfart"),
    ("420", "Assens"),
    ("430", "Faaborg-Midtfyn"),
    ("440", "Kerteminde"),
    ("450", "Nyborg"),
    ("461", "Odense"),
    ("479", "Svendborg"),
    ("480", "Nordfyns"),
    ("482", "Langeland"),
    ("492", "Ærø"),
    ("510", "Haderslev"),
    ("530", "Billund"),
    ("540", "Sønderborg"),
    ("550", "Tønder"),
    ("561", "Esbjerg"),
    ("563", "Fanø"),
    ("573", "Varde"),
    ("575", "Vejen"),
    ("580", "Aabenraa"),
    ("607", "Fredericia"),
    ("615", "Horsens"),
    ("621", "Kolding"),
    ("630", "Vejle"),
    ("657", "Herning"),
    ("661", "Holstebro"),
    ("665", "Lemvig"),
    ("671", "Struer"),
    ("706", "Syddjurs"),
    ("707", "Norddjurs"),
    ("710", "Favrskov"),
    ("727", "Odder"),
    ("730", "Randers"),
    ("740", "Silkeborg"),
    ("741", "Samsø"),
    ("746", "Skanderborg"),
    ("751", "Aarhus"),
    ("756", "Ikast-Brande"),
    ("760", "Ringkøbing-Skjern"),
    ("766", "Hedensted"),
    ("773", "Morsø"),
    ("779", "Skive"),
    ("787", "Thisted"),
    ("791", "Viborg"),
    ("810", "Brønderslev"),
    ("813", "Frederikshavn"),
    ("820", "Vesthimmerlands"),
    ("825", "Læsø"),
    ("840", "Rebild"),
    ("846", "Mariagerfjord"),
    ("849", "Jammerbugt"),
    ("851", "Aalborg"),
    ("860", "Hjørring"),
];

/// A valid 3-digit Danish municipality code, e.g. `101` for København.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MunicipalityCode(&'static str);

impl MunicipalityCode {
    pub fn parse(code: &str) -> Result<Self, String> {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("'{code}' is not a 3-digit municipality code"));
        }
        MUNICIPALITIES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(known, _)| Self(known))
            .ok_or_else(|| format!("'{code}' is not the code of a Danish municipality"))
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// The municipality's name, e.g. "København".
    pub fn name(&self) -> &'static str {
        MUNICIPALITIES
            .iter()
            .find(|(code, _)| *code == self.0)
            .map(|(_, name)| *name)
            .unwrap_or_default()
    }
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_98_municipalities() {
        assert_eq!(MUNICIPALITIES.len(), 98);
    }

    #[test]
    fn a_known_code_parses_and_has_its_name() {
        let code = MunicipalityCode::parse("751").unwrap();
        assert_eq!(code.as_str(), "751");
        assert_eq!(code.name(), "Aarhus");
    }

    #[test]
    fn malformed_and_unassigned_codes_are_rejected() {
        for bad in ["", "10", "1010", "abc", " 101", "999", "000"] {
            assert!(
                MunicipalityCode::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }
}
