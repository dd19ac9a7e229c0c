//! The Danish of the messages the service writes in English where they are
//! made (problem details, field messages). Keyed by the English template, as
//! gettext keys by the source text: `{}` stands for a value the message quotes
//! (a number, a code, a field), which the Danish keeps as it is.

use super::language::Language;

/// (English template, Danish template); the more specific before the general.
const MESSAGES: &[(&str, &str)] = &[
    // Requests
    ("invalid JSON body: {}", "ugyldig JSON i forespørgslen: {}"),
    ("unreadable request body: {}", "forespørgslens indhold kan ikke læses: {}"),
    ("invalid path", "ugyldig sti"),
    ("invalid path parameter: {}", "ugyldig parameter i stien: {}"),
    ("the request body exceeds {} bytes", "forespørgslens indhold fylder mere end {} bytes"),
    ("the request body must be JSON (Content-Type: application/json)", "forespørgslens indhold skal være JSON (Content-Type: application/json)"),
    ("the request is larger than the service accepts", "forespørgslen er større, end tjenesten tager imod"),
    ("the request was refused ({})", "forespørgslen blev afvist ({})"),
    ("the request was refused before it reached the API (e.g. a CORS preflight from an origin or with a header that is not allowed)", "forespørgslen blev afvist, før den nåede API'et (fx en CORS-preflight fra en oprindelse eller med en header, der ikke er tilladt)"),
    ("Idempotency-Key must be 1-255 visible ASCII characters", "Idempotency-Key skal være 1-255 synlige ASCII-tegn"),
    ("this key was used with a different request; use a new key for a new request", "nøglen er brugt til en anden forespørgsel; brug en ny nøgle til en ny forespørgsel"),
    ("If-Match must be ASCII", "If-Match skal være ASCII"),
    ("must be * or entity tags as the ETag header gives them, e.g. \"3\"", "skal være * eller entity tags, som ETag-headeren giver dem, fx \"3\""),
    ("is not a cursor of this list", "er ikke en markør i denne liste"),
    ("is not a cursor this service issued", "er ikke en markør, som tjenesten har udstedt"),
    ("the metrics token is required", "metrics-tokenet kræves"),
    ("a bearer token is required", "et bearer-token kræves"),
    ("unknown", "ukendt"),
    // Tokens
    ("algorithm {} is not accepted for this key", "algoritmen {} accepteres ikke for denne nøgle"),
    ("algorithm {} is not accepted", "algoritmen {} accepteres ikke"),
    ("the token lives longer than the accepted maximum of {} seconds", "tokenet gælder længere end det tilladte maksimum på {} sekunder"),
    ("a claim contains a control character", "et claim indeholder et kontroltegn"),
    ("'sub' is longer than {} characters", "'sub' er længere end {} tegn"),
    ("the claim 'sub' must not be empty", "claimet 'sub' må ikke være tomt"),
    ("role {} needs the claim 'municipality'", "rollen {} kræver claimet 'municipality'"),
    ("no verification key", "ingen nøgle til verifikation"),
    ("unknown role '{}'", "ukendt rolle '{}'"),
    ("role housing_social_worker needs the claim 'areas'", "rollen housing_social_worker kræver claimet 'areas'"),
    ("role municipal_caseworker needs the claim 'unit'", "rollen municipal_caseworker kræver claimet 'unit'"),
    ("role data_protection_officer needs the claim 'org'", "rollen data_protection_officer kræver claimet 'org'"),
    ("claim 'areas': '{}' is not an area id", "claimet 'areas': '{}' er ikke et område-id"),
    ("claim 'municipality': {}", "claimet 'municipality': {}"),
    ("claim 'unit': {}", "claimet 'unit': {}"),
    ("missing municipality", "kommune mangler"),
    ("cannot sign the token: {}", "tokenet kan ikke signeres: {}"),
    ("cannot read '{}': {}", "'{}' kan ikke læses: {}"),
    ("not a JWKS document: {}", "ikke et JWKS-dokument: {}"),
    ("every key of a JWKS document needs a 'kid'", "hver nøgle i et JWKS-dokument skal have et 'kid'"),
    ("key '{}': {}", "nøglen '{}': {}"),
    ("'{}': {}", "'{}': {}"),
    ("a stored webhook secret is not base64", "en gemt webhook-hemmelighed er ikke base64"),
    ("unknown key id (kid) '{}'", "ukendt nøgle-id (kid) '{}'"),
    ("key '{}' is not an RS256, ES256 (P-256) or EdDSA (Ed25519) key", "nøglen '{}' er ikke en RS256-, ES256- (P-256) eller EdDSA-nøgle (Ed25519)"),
    ("not a PEM public key of type RSA, EC P-256 (PKCS#8) or Ed25519", "ikke en offentlig PEM-nøgle af typen RSA, EC P-256 (PKCS#8) eller Ed25519"),
    ("the HS256 secret must be at least {} bytes long (it is {})", "HS256-hemmeligheden skal være mindst {} bytes lang (den er {})"),
    // Values
    ("must not be empty", "må ikke være tom"),
    ("must be at most {} characters", "må højst være {} tegn"),
    ("looks like it contains a CPR number; personal identifiers are not allowed here", "ser ud til at indeholde et CPR-nummer; personnumre må ikke stå her"),
    ("must be a CPR number: ten digits, e.g. 010190-1234", "skal være et CPR-nummer: ti cifre, fx 010190-1234"),
    ("is not a CPR number: its first six digits are not a date", "er ikke et CPR-nummer: de første seks cifre er ikke en dato"),
    ("does not match the CPR number", "passer ikke med CPR-nummeret"),
    ("must be the birth date of a child (under 18)", "skal være et barns fødselsdato (under 18 år)"),
    ("must be a phone number (digits, spaces, +, -)", "skal være et telefonnummer (cifre, mellemrum, +, -)"),
    ("must be an e-mail address", "skal være en e-mailadresse"),
    ("must be a share from 0 to 1", "skal være en andel fra 0 til 1"),
    ("must be a whole number from 0 to {}", "skal være et helt tal fra 0 til {}"),
    ("must be a year from {} to {}", "skal være et år fra {} til {}"),
    ("must be from {} to {}", "skal være fra {} til {}"),
    ("must be at least 1", "skal være mindst 1"),
    ("must be at most {}", "må højst være {}"),
    ("must not be negative", "må ikke være negativ"),
    ("must not be in the future", "må ikke ligge i fremtiden"),
    ("must not be before period.starts_on", "må ikke ligge før period.starts_on"),
    ("must not be before plan.starts_on", "må ikke ligge før plan.starts_on"),
    ("must not be before schedule.starts_on", "må ikke ligge før schedule.starts_on"),
    ("must not be before valid_from", "må ikke ligge før valid_from"),
    ("must be after starts_at", "skal ligge efter starts_at"),
    ("is given twice", "er angivet to gange"),
    ("is answered twice", "er besvaret to gange"),
    ("names a purpose twice", "nævner et formål to gange"),
    ("more birth years than children", "flere fødselsår end børn"),
    ("at most {} parents or guardians", "højst {} forældre eller værger"),
    ("at most {} findings", "højst {} fund"),
    ("at most {} goals", "højst {} mål"),
    ("at most {} partners", "højst {} samarbejdspartnere"),
    ("at most {}", "højst {}"),
    ("'{}' is not a 3-digit municipality code", "'{}' er ikke en kommunekode på 3 cifre"),
    ("'{}' is not a municipal unit code", "'{}' er ikke koden for en kommunal enhed"),
    ("'{}' is not the code of a Danish municipality", "'{}' er ikke koden for en dansk kommune"),
    ("must be 2-64 lower-case letters, digits, '.', '_' or '-' (the `org` claim of the organisation's data protection officer)", "skal være 2-64 små bogstaver, cifre, '.', '_' eller '-' (`org`-claimet hos organisationens databeskyttelsesrådgiver)"),
    // Web addresses
    ("must use https", "skal bruge https"),
    ("is not an absolute URL", "er ikke en absolut URL"),
    ("must not carry credentials", "må ikke indeholde loginoplysninger"),
    ("must not have a fragment", "må ikke have et fragment"),
    ("host '{}' is not on the allowlist (FAMILIEBRO_WEBHOOK_ALLOWED_HOSTS)", "værten '{}' er ikke på listen over tilladte (FAMILIEBRO_WEBHOOK_ALLOWED_HOSTS)"),
    // Scope
    ("is not an area you work in", "er ikke et område, du arbejder i"),
    ("name one or more of the areas you work in", "nævn et eller flere af de områder, du arbejder i"),
    ("is not a family of an area you work in", "er ikke en familie i et område, du arbejder i"),
    ("is not a family of the initiative's area", "er ikke en familie i indsatsens område"),
    ("is not an initiative of this area", "er ikke en indsats i dette område"),
    ("is not an initiative in an area of your municipality", "er ikke en indsats i et område i din kommune"),
    ("is not a partner in the register of the initiative's area", "er ikke en samarbejdspartner i registret for indsatsens område"),
    ("is not a cooperation agreement of the initiative's area", "er ikke en samarbejdsaftale for indsatsens område"),
    ("must be an assessment of the initiative's area", "skal være en kortlægning af indsatsens område"),
    ("must be an agreed assessment of the same area", "skal være en godkendt kortlægning af samme område"),
    ("must be the prospect's area", "skal være området for den familie, I vil nå"),
    ("only the data protection officer may include the content of concern reports", "kun databeskyttelsesrådgiveren må tage underretningers indhold med"),
    ("your side is not told of {}", "din side får ikke besked om {}"),
    ("a municipal unit subscribes for itself; leave area_ids out", "en kommunal enhed abonnerer for sig selv; udelad area_ids"),
    ("name at least one change type", "nævn mindst én type ændring"),
    // Families and consent
    ("say who gave the consent: name and relation (mother, father, guardian, young_person)", "angiv, hvem der gav samtykket: navn og relation (mother, father, guardian, young_person)"),
    ("a consent that has already expired cannot be recorded", "et samtykke, der allerede er udløbet, kan ikke registreres"),
    ("name at least one category of data that may be shared", "nævn mindst én kategori af oplysninger, der må deles"),
    ("is not a consent of this family", "er ikke et samtykke fra denne familie"),
    ("the consent has expired", "samtykket er udløbet"),
    ("the consent is not valid yet", "samtykket gælder endnu ikke"),
    ("the consent has been withdrawn", "samtykket er trukket tilbage"),
    ("the consent names {}, not {}", "samtykket nævner {}, ikke {}"),
    ("the consent covers {}, not {}", "samtykket dækker {}, ikke {}"),
    ("the consent does not cover sharing {}", "samtykket dækker ikke deling af {}"),
    ("the family is enrolled already", "familien er allerede tilmeldt"),
    ("{} families are enrolled already", "{} familier er allerede tilmeldt"),
    ("the initiative is full ({} families)", "indsatsen er fuld ({} familier)"),
    // Referrals
    ("name at least one category to share", "nævn mindst én kategori, der skal deles"),
    ("is not covered by the stated consent", "er ikke dækket af det angivne samtykke"),
    ("share at least the family's contact details", "del mindst familiens kontaktoplysninger"),
    ("is required when sharing family_statement", "kræves, når family_statement deles"),
    ("a municipality shares contact details, household composition and the family's statement only", "en kommune deler kun kontaktoplysninger, husstandens sammensætning og familiens egen fortælling"),
    ("a reason is required to make a referral {}", "der kræves en begrundelse for at gøre en henvisning {}"),
    ("an outcome is required to complete a referral", "et resultat kræves for at afslutte en henvisning"),
    ("an outcome is given only when completing", "et resultat angives kun ved afslutning"),
    ("families are linked only when accepting a referral to an initiative", "familier knyttes kun til, når en henvisning til en indsats accepteres"),
    ("accepting a referral to an initiative links it to a family of the area (link_family_id) or creates one (create_family: true)", "når en henvisning til en indsats accepteres, knyttes den til en familie i området (link_family_id), eller der oprettes en (create_family: true)"),
    ("the referral shares no contact details to create a family from", "henvisningen deler ingen kontaktoplysninger at oprette en familie ud fra"),
    ("the consent behind this referral no longer holds ({}): its shared data cannot become a family record; link a family of the area instead (link_family_id)", "samtykket bag henvisningen gælder ikke længere ({}): de delte oplysninger kan ikke blive til en familie; knyt i stedet en familie i området til (link_family_id)"),
    ("the referral changed at the same time; read it again and retry", "henvisningen blev ændret samtidig; læs den igen, og prøv igen"),
    ("a referral that is {} cannot become {}; allowed now: {}", "en henvisning, der er {}, kan ikke blive {}; tilladt nu: {}"),
    // Concern reports
    ("give the child's CPR number or date of birth", "angiv barnets CPR-nummer eller fødselsdato"),
    ("give a phone number or an e-mail address to call back", "angiv et telefonnummer eller en e-mailadresse at ringe eller skrive tilbage til"),
    ("say why the parents were not told (e.g. it would put the child at risk)", "angiv, hvorfor forældrene ikke blev orienteret (fx at det ville bringe barnet i fare)"),
    ("concern reports go to a unit that handles child welfare: children_families, family_counselling or social_services", "underretninger går til en enhed, der tager sig af børns trivsel: children_families, family_counselling eller social_services"),
    ("acknowledge the report before giving feedback", "kvittér for underretningen, før der gives tilbagemelding"),
    ("feedback on this report has been given already", "der er allerede givet tilbagemelding på denne underretning"),
    ("the urgency of this report has been assessed already", "hastegraden af denne underretning er allerede vurderet"),
    // Assessments
    ("give the prevalence as households and/or share", "angiv udbredelsen som husstande og/eller andel"),
    ("name at least one source", "nævn mindst én kilde"),
    ("must be omitted for a new assessment", "skal udelades for en ny kortlægning"),
    ("must be omitted for a new finding", "skal udelades for et nyt fund"),
    ("is not a finding of this assessment", "er ikke et fund i denne kortlægning"),
    ("assessment {} already has a revision in progress: {}", "kortlægning {} har allerede en revision under arbejde: {}"),
    ("revision {} is under way; change that one", "revision {} er under arbejde; ret i den"),
    ("name at least one unit that signs for the municipality", "nævn mindst én enhed, der skriver under for kommunen"),
    ("your unit does not sign for municipality {}; its signatory units are {}", "din enhed skriver ikke under for kommune {}; dens underskrivende enheder er {}"),
    // Initiatives and sessions
    ("a closed initiative needs a capacity", "en lukket indsats skal have et antal pladser"),
    ("the handbook suggests agreeing volunteering and internships with the job centre, e.g. so that benefits are not affected; give the agreement's reference when there is one", "håndbogen foreslår at aftale frivilligt arbejde og praktik med jobcentret, fx så ydelser ikke påvirkes; angiv aftalens reference, når der er en"),
    ("a family course is for a closed group of parents (\"en afgrænset gruppe\"): use format closed", "et familiekursus er for en afgrænset gruppe forældre: brug format closed"),
    ("a social activity or family course needs a plan, made beforehand, for how networks arise and are supported afterwards before it can become active", "en social aktivitet eller et familiekursus skal have en plan, lagt på forhånd, for hvordan netværk opstår og støttes bagefter, før den kan blive aktiv"),
    ("the initiative is {} and can no longer change", "indsatsen er {} og kan ikke længere ændres"),
    ("the initiative is {}", "indsatsen er {}"),
    ("team composition applies to closed initiatives; this one is open", "holdsammensætningen gælder lukkede indsatser; denne er åben"),
    ("a new session is planned or held", "en ny gang er planlagt eller afholdt"),
    ("a planned session lies ahead (today or later)", "en planlagt gang ligger forude (i dag eller senere)"),
    ("a {} session is final; only planned sessions change", "en gang, der er {}, er endelig; kun planlagte gange kan ændres"),
    ("sessions are planned for planned or active initiatives; this one is {}", "gange planlægges for planlagte eller aktive indsatser; denne er {}"),
    ("sessions are recorded for active or completed initiatives; this one is {}", "gange registreres for aktive eller afsluttede indsatser; denne er {}"),
    ("attendance is recorded with status held", "fremmøde registreres med status held"),
    ("attendance is recorded once the session is held", "fremmøde registreres, når gangen er afholdt"),
    ("a closed group records who attended in attendee_family_ids, not an anonymous headcount", "et lukket hold registrerer, hvem der kom, i attendee_family_ids, ikke et anonymt antal"),
    // Outcomes
    ("is not a code of GET /api/v1/catalog/outcomes", "er ikke en kode fra GET /api/v1/catalog/outcomes"),
    ("an own goal needs a key of lower-case letters, digits and _ (at most 40), not a catalogue code", "et eget mål skal have en nøgle af små bogstaver, cifre og _ (højst 40), ikke en kode fra kataloget"),
    ("an own goal needs a question", "et eget mål skal have et spørgsmål"),
    ("an own goal needs a scale", "et eget mål skal have en skala"),
    ("a scale runs from 0 or 1 up to 2–10", "en skala går fra 0 eller 1 op til 2-10"),
    ("a follow-up needs goals to ask about", "en opfølgning kræver mål at spørge til"),
    ("goals with answers keep their place and scale: {}", "mål med svar beholder deres plads og skala: {}"),
    ("is not a goal of the initiative", "er ikke et af indsatsens mål"),
    ("must be a point of the scale, once", "skal være et punkt på skalaen, én gang"),
    ("give at least one answer", "giv mindst ét svar"),
    ("is not a family taking part in the initiative (enrolled, or for open initiatives attending a session)", "er ikke en familie, der deltager i indsatsen (tilmeldt, eller for åbne indsatser mødt op til en gang)"),
    ("the initiative has no goals to answer yet", "indsatsen har endnu ingen mål at svare på"),
    ("the family's answers at {} are recorded already", "familiens svar ved {} er allerede registreret"),
    ("the plan sets no follow-up (follow_up_months on the initiative)", "planen har ingen opfølgning (follow_up_months på indsatsen)"),
    ("a cancelled initiative takes no measurements", "en aflyst indsats tager ingen målinger"),
    ("{} does not answer {}", "{} besvarer ikke {}"),
    // Statistics
    ("outside the area's team, figures are given for one whole calendar quarter (from its first to its last day)", "uden for områdets team gives tal for ét helt kvartal (fra dets første til dets sidste dag)"),
    ("the quarter has not ended yet; outside the area's team, figures are given for ended quarters only", "kvartalet er ikke slut endnu; uden for områdets team gives tal kun for afsluttede kvartaler"),
    // Prospects
    ("a family record is made only when the prospect becomes engaged", "en familie oprettes først, når familien er blevet engageret"),
    ("an engaged prospect becomes a family record: give what the family agreed to be recorded", "en engageret familie bliver til en familie i registret: angiv det, familien har sagt ja til at få registreret"),
    ("a prospect that is {} does not change", "en familie, I vil nå, som er {}, ændres ikke længere"),
    // Cooperation agreements
    ("name what at least one municipal unit does", "angiv, hvad mindst én kommunal enhed gør"),
    ("the agreement is {} and no longer changes; a revision supersedes it", "aftalen er {} og ændres ikke længere; en revision afløser den"),
    ("the agreement is {}; a revision supersedes it", "aftalen er {}; en revision afløser den"),
    ("only an agreed agreement is revised; edit a draft instead", "kun en indgået aftale revideres; ret i stedet i et udkast"),
    ("status {} comes from signing (POST …/approvals); a caller sets only withdrawn", "status {} kommer af underskrifter (POST …/approvals); en kalder kan kun sætte withdrawn"),
];

/// A message the code wrote in English, in `language`: as written in English,
/// and in Danish where the catalogue has it (as written otherwise).
pub fn written_in(language: Language, english: String) -> String {
    match language {
        Language::En => english,
        Language::Da => in_danish(&english).unwrap_or(english),
    }
}

/// `english` in Danish, when the catalogue knows its template.
pub fn in_danish(english: &str) -> Option<String> {
    MESSAGES
        .iter()
        .find_map(|(template, danish)| fill(danish, &values_of(template, english)?))
}

/// The values `text` puts where `template` has `{}`; none when it does not fit.
fn values_of<'a>(template: &str, text: &'a str) -> Option<Vec<&'a str>> {
    let parts: Vec<&str> = template.split("{}").collect();
    let mut rest = text.strip_prefix(parts[0])?;
    let mut values = Vec::new();
    for (index, part) in parts.iter().enumerate().skip(1) {
        if index == parts.len() - 1 {
            values.push(rest.strip_suffix(part)?);
            rest = "";
        } else {
            let at = rest.find(part)?;
            values.push(&rest[..at]);
            rest = &rest[at + part.len()..];
        }
    }
    rest.is_empty().then_some(values)
}

fn fill(template: &str, values: &[&str]) -> Option<String> {
    let mut parts = template.split("{}");
    let mut filled = parts.next().unwrap_or_default().to_owned();
    let mut values = values.iter();
    for part in parts {
        filled.push_str(values.next()?);
        filled.push_str(part);
    }
    values.next().is_none().then_some(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_quotes_as_many_values_in_danish_as_in_english() {
        for (english, danish) in MESSAGES {
            assert_eq!(
                english.matches("{}").count(),
                danish.matches("{}").count(),
                "{english}"
            );
        }
    }

    #[test]
    fn a_message_is_translated_with_the_values_it_quotes() {
        assert_eq!(
            in_danish("must be at most 200 characters").as_deref(),
            Some("må højst være 200 tegn")
        );
        assert_eq!(
            in_danish("a referral that is sent cannot become completed; allowed now: accepted, rejected")
                .as_deref(),
            Some("en henvisning, der er sent, kan ikke blive completed; tilladt nu: accepted, rejected")
        );
        assert_eq!(in_danish("at most 30").as_deref(), Some("højst 30"));
        assert_eq!(in_danish("at most 9 goals").as_deref(), Some("højst 9 mål"));
        assert_eq!(in_danish("something the catalogue does not know"), None);
    }

    /// Every message the code writes for a caller has its Danish here: the
    /// source is read for the messages given to the problem constructors.
    #[test]
    fn every_message_in_the_source_has_its_danish() {
        let calls = regex::Regex::new(
            r#"(violations\.add|warnings\.add|gaps\.push|ApiError::validation|ApiError::parameter|ApiError::Conflict|ApiError::TransitionNotAllowed|ApiError::ConsentGap|ApiError::BadRequest|ApiError::ForbiddenBecause|ApiError::Unauthenticated|ApiError::PayloadTooLarge|ApiError::UnsupportedMediaType)\(|(?:Err\(|map_err\(\|[^|]*\|\s*|ok_or(?:_else)?\((?:\|\|\s*)?)(?:format!\()?""#,
        )
        .unwrap();
        let literal = regex::Regex::new(r#""((?:[^"\\]|\\.)*)""#).unwrap();
        let named = regex::Regex::new(r"\{[A-Za-z0-9_:?.]*\}").unwrap();
        let mut missing = Vec::new();
        for folder in ["src/api", "src/domain", "src/auth"] {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
            let mut files = vec![root];
            while let Some(path) = files.pop() {
                if path.is_dir() {
                    files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                    continue;
                }
                let source = std::fs::read_to_string(&path).unwrap();
                let source = source.split("#[cfg(test)]").next().unwrap_or_default();
                for call in calls.find_iter(source) {
                    // A literal right after `Err(` is part of the window.
                    let start = call.end() - usize::from(call.as_str().ends_with('"'));
                    let rest = &source[start..];
                    // The call ends by the end of its statement or block.
                    let end = [rest.find(';'), rest.find("\n}"), Some(rest.len().min(400))]
                        .into_iter()
                        .flatten()
                        .min()
                        .unwrap_or_default();
                    let texts: Vec<&str> = literal
                        .captures_iter(&rest[..end])
                        .map(|found| found.get(1).unwrap().as_str())
                        .collect();
                    let takes_field = matches!(
                        call.as_str(),
                        "violations.add("
                            | "warnings.add("
                            | "ApiError::validation("
                            | "ApiError::parameter("
                    );
                    let message = if takes_field {
                        texts.get(1)
                    } else {
                        texts.first()
                    };
                    let Some(message) = message else { continue };
                    let message = named.replace_all(message, "{}").replace("\\\"", "\"");
                    let sentence = message.contains(' ') && message != "{}";
                    if sentence && in_danish(&message).is_none() {
                        missing.push(format!("{}: {message}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "messages without Danish:\n{}",
            missing.join("\n")
        );
    }
}
