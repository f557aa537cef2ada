//! Sibling edges and their cycles.
//!
//! What counts: for every module P, a graph whose nodes are P's child modules
//! (file or inline); there is an edge A -> B when code anywhere inside A (its
//! file, its inline modules, its descendants) names B or anything inside B
//! through a `crate::`, `super::` or `self::` path. A cycle is a set of two or
//! more siblings that reach each other along those edges (a strongly connected
//! component), at any depth: `faults` <-> `http` at the crate root as much as
//! `stack::configs` <-> `stack::processes` below `stack`.
//!
//! What does not count: a module naming its ancestors' own items (`super::Item`,
//! `crate::ServiceInfo`: a parent is not a sibling), a parent naming its children,
//! and paths that start with a name brought in by `use` (the `use` itself is
//! what is counted). A re-export is followed no further than where its path
//! points: `super::Item` re-exported by the parent from a sibling is an edge to
//! the parent, not to that sibling.

use std::collections::{BTreeMap, BTreeSet};

use super::tree::{ModulePath, Resolved, Tree};

/// One cycle: the parent module, its members, and one reference per edge
/// between members.
#[derive(Debug)]
pub(super) struct Cycle {
    pub(super) parent: ModulePath,
    pub(super) members: Vec<String>,
    pub(super) edges: Vec<(String, String, Resolved)>,
}

/// Edges by parent module: (from child, to child) -> first reference seen.
type Edges = BTreeMap<ModulePath, BTreeMap<(String, String), Resolved>>;

pub(super) fn cycles(tree: &Tree) -> Vec<Cycle> {
    let mut edges = Edges::new();
    for reference in &tree.references {
        let common = reference
            .from
            .iter()
            .zip(&reference.to)
            .take_while(|(from, to)| from == to)
            .count();
        let (Some(from), Some(to)) = (reference.from.get(common), reference.to.get(common)) else {
            continue;
        };
        let parent = reference.from[..common].to_vec();
        let target = [&parent[..], std::slice::from_ref(to)].concat();
        if !tree.modules.contains(&target) {
            continue; // an item of the common ancestor, not a sibling module
        }
        edges
            .entry(parent)
            .or_default()
            .entry((from.clone(), to.clone()))
            .or_insert_with(|| reference.clone());
    }
    let mut found = Vec::new();
    for (parent, siblings) in &edges {
        for component in strongly_connected(siblings.keys()) {
            let members: BTreeSet<&String> = component.iter().collect();
            let inner = siblings
                .iter()
                .filter(|((from, to), _)| members.contains(from) && members.contains(to))
                .map(|((from, to), reference)| (from.clone(), to.clone(), reference.clone()))
                .collect();
            found.push(Cycle {
                parent: parent.clone(),
                members: component,
                edges: inner,
            });
        }
    }
    found
}

/// Components of two or more nodes (Tarjan's algorithm), members sorted.
fn strongly_connected<'a>(edges: impl Iterator<Item = &'a (String, String)>) -> Vec<Vec<String>> {
    let mut successors: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges {
        successors.entry(from).or_default().push(to);
        successors.entry(to).or_default();
    }
    let mut state = Tarjan {
        successors: &successors,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for node in successors.keys() {
        if !state.index.contains_key(node) {
            state.visit(node);
        }
    }
    state.components
}

struct Tarjan<'a> {
    successors: &'a BTreeMap<&'a str, Vec<&'a str>>,
    index: BTreeMap<&'a str, usize>,
    low: BTreeMap<&'a str, usize>,
    stack: Vec<&'a str>,
    on_stack: BTreeSet<&'a str>,
    components: Vec<Vec<String>>,
}

impl<'a> Tarjan<'a> {
    // Recursion depth is bounded by the number of siblings of one module.
    fn visit(&mut self, node: &'a str) {
        let number = self.index.len();
        self.index.insert(node, number);
        self.low.insert(node, number);
        self.stack.push(node);
        self.on_stack.insert(node);
        for &next in &self.successors[node] {
            if !self.index.contains_key(next) {
                self.visit(next);
                let low = self.low[node].min(self.low[next]);
                self.low.insert(node, low);
            } else if self.on_stack.contains(next) {
                let low = self.low[node].min(self.index[next]);
                self.low.insert(node, low);
            }
        }
        if self.low[node] == self.index[node] {
            let mut component = Vec::new();
            while let Some(member) = self.stack.pop() {
                self.on_stack.remove(member);
                component.push(member.to_owned());
                if member == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                self.components.push(component);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(from: &str, to: &str) -> (String, String) {
        (from.to_owned(), to.to_owned())
    }

    #[test]
    fn only_mutual_reachability_is_a_cycle() {
        let edges = [
            edge("a", "b"),
            edge("b", "c"),
            edge("c", "a"),
            edge("c", "d"),
            edge("e", "f"),
            edge("f", "e"),
        ];
        assert_eq!(
            strongly_connected(edges.iter()),
            [vec!["a", "b", "c"], vec!["e", "f"]]
        );
        assert!(strongly_connected([edge("a", "b"), edge("b", "c")].iter()).is_empty());
    }
}
