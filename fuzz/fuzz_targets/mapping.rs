//! The action-to-tool mapping: any action list the registry could send → tools whose names
//! are unique, at most 128 characters of `[A-Za-z0-9_.-]`, and sorted. Never a panic.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use mcp_actions_backend::tools::{ActionList, Filter, Separator, ToolNaming, ToolSet};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(list) = ActionList::parse(text) else {
        return;
    };
    let set = ToolSet::default();
    for naming in [
        ToolNaming::default(),
        ToolNaming {
            namespaced: false,
            separator: Separator::Dot,
        },
        ToolNaming {
            namespaced: true,
            separator: Separator::DoubleUnderscore,
        },
    ] {
        for read_only in [false, true] {
            let tools = set.build(&list, naming, &Filter::default(), read_only);
            let mut seen = HashSet::new();
            for t in &tools {
                let name = t.tool.name.as_ref();
                assert!(!name.is_empty() && name.len() <= 128, "{name:?}");
                assert!(
                    name.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')),
                    "{name:?}"
                );
                assert!(seen.insert(name.to_owned()), "duplicate {name:?}");
            }
            assert!(tools.windows(2).all(|w| w[0].tool.name <= w[1].tool.name));
        }
    }
});
