//! The JSON shapes the payload accepts where serde's derive would accept more, read
//! without keeping anything they do not need.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::Alert;

/// Reads `alerts` as an array of JSON objects. A derived struct would also accept an
/// array of its fields in order (`["firing",{},{},"","","",""]`), which packs an alert
/// in a third of the bytes and would triple what a body can cost in memory;
/// Alertmanager only ever sends objects.
pub(super) fn alerts_as_objects<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Alert>, D::Error> {
    let alerts = Vec::<AlertObject>::deserialize(deserializer)?;
    Ok(alerts.into_iter().map(|object| object.0).collect())
}

/// An [`Alert`] that was written as a JSON object.
#[repr(transparent)]
struct AlertObject(Alert);

impl<'de> Deserialize<'de> for AlertObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(AlertObjectVisitor)
    }
}

struct AlertObjectVisitor;

impl<'de> Visitor<'de> for AlertObjectVisitor {
    type Value = AlertObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an alert object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AlertObject, A::Error> {
        Alert::deserialize(de::value::MapAccessDeserializer::new(map)).map(AlertObject)
    }
}

/// The `version` of a JSON object, if it is a string; every other member is skipped
/// without being kept.
pub(super) struct VersionProbe(pub(super) Option<String>);

impl<'de> Deserialize<'de> for VersionProbe {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(VersionProbeVisitor)
    }
}

struct VersionProbeVisitor;

impl<'de> Visitor<'de> for VersionProbeVisitor {
    type Value = VersionProbe;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<VersionProbe, A::Error> {
        let mut version = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "version" && version.is_none() {
                version = map
                    .next_value::<serde_json::Value>()?
                    .as_str()
                    .map(str::to_owned);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(VersionProbe(version))
    }
}
