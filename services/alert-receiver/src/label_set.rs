//! A label (or annotation) set kept compactly: every key and value back to back in one
//! text buffer, plus where each one ends. A `BTreeMap<String, String>` costs about
//! 120 bytes per entry besides its text (a tree node slot and one heap block per key),
//! so a body of many 2-character labels took 15 times its JSON size; this form takes
//! 8 bytes per entry besides the text: 10 bytes for the 8 of `"ab":"",`.
//! Entries are sorted by key (the last one wins for a repeated key, as with a map), so
//! stored lines and API answers are stable whatever order the sender used.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::heap_size::allocation;

/// Sorted `key → value` strings, stored in two heap blocks.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct LabelSet {
    text: Box<str>,
    /// For entry `i`, `ends[2i]` is where its key ends in `text`, `ends[2i+1]` where
    /// its value ends (the next key starts there).
    ends: Box<[u32]>,
}

impl LabelSet {
    /// A set of `pairs`, sorted, the last value kept for a repeated key.
    ///
    /// # Panics
    /// If the text passes 4 GiB (never for the few labels code builds this way).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut builder = Builder::default();
        for (key, value) in pairs {
            builder.push(key).expect("labels under 4 GiB");
            builder.push(value).expect("labels under 4 GiB");
        }
        builder.finish()
    }

    /// How many entries the set has.
    pub fn len(&self) -> usize {
        self.ends.len() / 2
    }

    /// Whether the set has no entry.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The value of `key`, if the set has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        let mut range = 0..self.len();
        while !range.is_empty() {
            let middle = range.start + range.len() / 2;
            let (found, value) = self.entry(middle);
            match found.cmp(key) {
                std::cmp::Ordering::Equal => return Some(value),
                std::cmp::Ordering::Less => range.start = middle + 1,
                std::cmp::Ordering::Greater => range.end = middle,
            }
        }
        None
    }

    /// The entries, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        (0..self.len()).map(|index| self.entry(index))
    }

    /// Sets `key` to `value` (rebuilding the set: meant for tests and tools).
    pub fn insert(&mut self, key: &str, value: &str) {
        let current = std::mem::take(self);
        *self = Self::from_pairs(current.iter().chain([(key, value)]));
    }

    /// Heap bytes this set occupies, allocator overhead included.
    pub fn heap_bytes(&self) -> usize {
        allocation(self.text.len()) + allocation(std::mem::size_of_val(&*self.ends))
    }

    fn entry(&self, index: usize) -> (&str, &str) {
        let start = if index == 0 {
            0
        } else {
            self.ends[2 * index - 1] as usize
        };
        let key_end = self.ends[2 * index] as usize;
        let value_end = self.ends[2 * index + 1] as usize;
        (&self.text[start..key_end], &self.text[key_end..value_end])
    }
}

/// Collects keys and values in arrival order, then sorts them once.
#[derive(Default)]
struct Builder {
    text: String,
    ends: Vec<u32>,
}

/// The text of one label set passed 4 GiB.
#[derive(Debug)]
struct TooLarge;

impl Builder {
    fn push(&mut self, part: &str) -> Result<(), TooLarge> {
        self.text.push_str(part);
        self.end_part()
    }

    fn end_part(&mut self) -> Result<(), TooLarge> {
        let end = u32::try_from(self.text.len()).map_err(|_| TooLarge)?;
        self.ends.push(end);
        Ok(())
    }

    fn finish(self) -> LabelSet {
        let unsorted = LabelSet {
            text: self.text.into_boxed_str(),
            ends: self.ends.into_boxed_slice(),
        };
        let keys_ascending =
            (1..unsorted.len()).all(|index| unsorted.entry(index - 1).0 < unsorted.entry(index).0);
        if keys_ascending {
            // What Alertmanager sends: no copy needed.
            return unsorted;
        }
        let mut order: Vec<usize> = (0..unsorted.len()).collect();
        // Stable: among equal keys the last sent stays last, and is the one kept.
        order.sort_by(|&a, &b| unsorted.entry(a).0.cmp(unsorted.entry(b).0));
        let mut sorted = Builder {
            text: String::with_capacity(unsorted.text.len()),
            ends: Vec::with_capacity(unsorted.ends.len()),
        };
        for (position, &index) in order.iter().enumerate() {
            let (key, value) = unsorted.entry(index);
            let next_has_same_key = order
                .get(position + 1)
                .is_some_and(|&next| unsorted.entry(next).0 == key);
            if !next_has_same_key {
                // Offsets fit: the sorted text is never longer than the unsorted one.
                let _ = sorted.push(key).and_then(|()| sorted.push(value));
            }
        }
        LabelSet {
            text: sorted.text.into_boxed_str(),
            ends: sorted.ends.into_boxed_slice(),
        }
    }
}

impl fmt::Debug for LabelSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for LabelSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self.iter() {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for LabelSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(LabelSetVisitor)
    }
}

struct LabelSetVisitor;

impl<'de> Visitor<'de> for LabelSetVisitor {
    type Value = LabelSet;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of strings to strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LabelSet, A::Error> {
        let too_large = |TooLarge| de::Error::custom("a label set larger than 4 GiB");
        let mut builder = Builder::default();
        // Keys and values are appended straight into the buffer: no String each.
        while map.next_key_seed(AppendTo(&mut builder.text))?.is_some() {
            builder.end_part().map_err(too_large)?;
            map.next_value_seed(AppendTo(&mut builder.text))?;
            builder.end_part().map_err(too_large)?;
        }
        Ok(builder.finish())
    }
}

/// Deserializes one string by appending it to a buffer.
struct AppendTo<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for AppendTo<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for AppendTo<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        self.0.push_str(text);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> LabelSet {
        serde_json::from_str(json).expect("a label set")
    }

    #[test]
    fn keeps_entries_sorted_and_the_last_of_a_repeated_key() {
        let set = parse(r#"{"b":"2","a":"1","c":"","b":"3"}"#);
        let entries: Vec<_> = set.iter().collect();
        assert_eq!(entries, [("a", "1"), ("b", "3"), ("c", "")]);
        assert_eq!(
            serde_json::to_string(&set).expect("JSON"),
            r#"{"a":"1","b":"3","c":""}"#
        );
    }

    #[test]
    fn finds_values_by_key() {
        let set = parse(r#"{"alertname":"Down","job":"api","":"empty key","z\"q":"\u00e9"}"#);
        assert_eq!(set.get("alertname"), Some("Down"));
        assert_eq!(set.get("job"), Some("api"));
        assert_eq!(set.get(""), Some("empty key"));
        assert_eq!(set.get("z\"q"), Some("é"));
        assert_eq!(set.get("instance"), None);
        assert_eq!(LabelSet::default().get(""), None);
    }

    #[test]
    fn equals_the_map_it_came_from() {
        let json = r#"{"y":"1","x":"22","w":"","x":"4"}"#;
        let map: std::collections::BTreeMap<String, String> =
            serde_json::from_str(json).expect("map");
        let set = parse(json);
        assert!(
            set.iter()
                .eq(map.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        );
        assert_eq!(set.len(), map.len());
    }

    #[test]
    fn refuses_what_is_not_a_map_of_strings() {
        for json in [r#"["a","b"]"#, r#"{"a":1}"#, r#"{"a":null}"#, r#""a""#] {
            assert!(serde_json::from_str::<LabelSet>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn insert_replaces_or_adds() {
        let mut set = LabelSet::from_pairs([("job", "a")]);
        set.insert("alertname", "X");
        set.insert("job", "b");
        assert_eq!(
            set,
            LabelSet::from_pairs([("alertname", "X"), ("job", "b")])
        );
    }

    #[test]
    fn tiny_entries_take_little_more_than_their_json() {
        // Every two-letter key with an empty value: `"ab":"",` is 8 bytes of JSON.
        let letters = || (b'a'..=b'z').map(char::from);
        let keys: Vec<String> = letters()
            .flat_map(|a| letters().map(move |b| format!("{a}{b}")))
            .collect();
        let entries: Vec<String> = keys.iter().map(|key| format!("\"{key}\":\"\"")).collect();
        let json = format!("{{{}}}", entries.join(","));
        let set = parse(&json);
        assert_eq!(set.len(), 26 * 26);
        assert!(
            set.heap_bytes() <= json.len() * 3 / 2,
            "{} for {}",
            set.heap_bytes(),
            json.len()
        );
    }
}
