//! Each layer of `src/` imports only downwards: no two modules import each other, directly or
//! through others. A module's own ancestors (`super`, the `mod.rs` that declares it) and
//! descendants are not counted: a parent declares its children and they use its types.
//! Tests (`#[cfg(test)]` and below) and comments are left out.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

/// `a::b` for `src/a/b.rs` and `src/a/b/mod.rs`; `` for `src/lib.rs`.
fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

fn sources(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("an entry of src/").path();
        if path.is_dir() {
            sources(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file");
            out.insert(module_of(path.strip_prefix(root).unwrap()), text);
        }
    }
}

/// The code of a file without comments and without its tests.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path of a `use` tree: `super::{a, b::{c, D}}` gives `super::a`, `super::b::c`, ...
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        return vec![tree.split("as").next().unwrap_or_default().to_owned()];
    };
    let prefix = tree[..open].trim_end_matches("::");
    let inner = &tree[open + 1..tree.len().saturating_sub(1)];
    let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
        .into_iter()
        .filter(|item| !item.is_empty())
        .flat_map(expand)
        .map(|rest| match (prefix.is_empty(), rest.as_str()) {
            (true, _) => rest,
            (false, "self") => prefix.to_owned(),
            (false, _) => format!("{prefix}::{rest}"),
        })
        .collect()
}

/// Every `crate::`/`super::`/`self::` path the code names, in `use` trees and inline.
fn paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let starts = |at: usize| at == 0 || !code[..at].ends_with(is_ident);
    for (at, _) in code.match_indices("use ") {
        if starts(at) {
            let tree = code[at + 4..].split(';').next().unwrap_or_default();
            found.extend(expand(tree));
        }
    }
    for root in ["crate::", "super::"] {
        for (at, _) in code.match_indices(root) {
            if starts(at) {
                let end = code[at..]
                    .find(|c: char| !(is_ident(c) || c == ':'))
                    .map_or(code.len(), |n| at + n);
                found.push(code[at..end].trim_end_matches(':').to_owned());
            }
        }
    }
    found
}

/// The module `path` names from `module`, as the longest known module prefix.
fn resolve(path: &str, module: &str, known: &BTreeSet<String>) -> Option<String> {
    let mut parts = path.split("::");
    let mut base: Vec<&str> = module.split("::").filter(|p| !p.is_empty()).collect();
    match parts.next()? {
        "crate" => base.clear(),
        "super" => {
            base.pop();
        }
        "self" => {}
        _ => return None,
    }
    for part in parts {
        if part == "super" {
            base.pop();
        } else {
            base.push(part);
        }
    }
    (0..=base.len())
        .rev()
        .map(|n| base[..n].join("::"))
        .find(|candidate| known.contains(candidate))
}

fn related(a: &str, b: &str) -> bool {
    let within = |inner: &str, outer: &str| {
        outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}::"))
    };
    within(a, b) || within(b, a)
}

/// Module → the modules it imports (not counting its ancestors and descendants).
fn imports(files: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let known: BTreeSet<String> = files.keys().cloned().collect();
    files
        .iter()
        .map(|(module, text)| {
            let targets = paths(&code(text))
                .iter()
                .filter_map(|p| resolve(p, module, &known))
                .filter(|target| !related(target, module))
                .collect();
            (module.clone(), targets)
        })
        .collect()
}

/// One import circle per module on one: `a -> b -> a`.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for start in graph.keys() {
        // Breadth first from `start`, remembering how each module was reached.
        let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([start.as_str()]);
        while let Some(at) = queue.pop_front() {
            for next in graph.get(at).into_iter().flatten() {
                if next == start {
                    let mut path = vec![start.as_str()];
                    let mut step = at;
                    while step != start {
                        path.push(step);
                        step = came_from[step];
                    }
                    path.push(start);
                    path.reverse();
                    // The same circle from each of its modules: keep its smallest rotation.
                    let ring = &path[..path.len() - 1];
                    let least = (0..ring.len()).min_by_key(|&i| ring[i]).unwrap_or(0);
                    let mut rotated: Vec<&str> = ring[least..].to_vec();
                    rotated.extend_from_slice(&ring[..least]);
                    rotated.push(rotated[0]);
                    found.insert(rotated.join(" -> "));
                    queue.clear();
                    break;
                }
                if !came_from.contains_key(next.as_str()) {
                    came_from.insert(next, at);
                    queue.push_back(next);
                }
            }
        }
    }
    found
}

#[test]
fn src_has_no_import_circles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    sources(&root, &root, &mut files);
    assert!(files.len() > 50, "src/ was read: {} files", files.len());
    let graph = imports(&files);
    // The reader sees real edges (these two exist today and are downward).
    assert!(graph["engine::secrets"].contains("secrets::elicitation"));
    assert!(graph["binding::task_store"].contains("binding::host"));
    assert_eq!(circles(&graph), BTreeSet::new());
}

#[test]
fn the_check_finds_circles_direct_and_through_a_third() {
    let files: BTreeMap<String, String> = [
        ("", "mod a; mod b; mod c; mod d;"),
        ("a", "use crate::b::Thing;\n// use crate::d::Commented;"),
        ("b", "use super::{c::{self, Other}, a as _};"),
        ("c", "fn f() { crate::a::g(); }"),
        (
            "d",
            "use crate::a::X;\n#[cfg(test)]\nmod tests { use crate::d::Y; }",
        ),
        ("d::inner", "use super::Parent; use crate::d::Sibling;"),
    ]
    .into_iter()
    .map(|(m, t)| (m.to_owned(), t.to_owned()))
    .collect();
    let graph = imports(&files);
    assert_eq!(graph["b"], BTreeSet::from(["a".to_owned(), "c".to_owned()]));
    assert!(graph["d::inner"].is_empty(), "a parent is not an import");
    assert_eq!(
        circles(&graph),
        BTreeSet::from(["a -> b -> a".to_owned(), "a -> b -> c -> a".to_owned()])
    );
}
