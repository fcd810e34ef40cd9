//! The desktop shell's command functions take the arguments the command
//! table says. Which commands it registers is checked when it compiles
//! (`archsim_app::desktop_commands!` feeds `tauri::generate_handler!`, and
//! an unregistered command function is dead code, denied there); the
//! argument names are not, and `src-tauri` is outside the workspace, so
//! this test reads its sources: a renamed parameter would make the UI's
//! call fail at run time with "missing required key".

use std::collections::BTreeMap;
use std::path::Path;

use archsim_app::COMMANDS;

/// Each `#[tauri::command]` function in `source`: its name and the names of
/// the parameters the page sends (Tauri's `State` and `AppHandle` are
/// injected, not sent).
fn tauri_commands(source: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    // The attribute on a line of its own (not in a comment that names it).
    let attribute = "\n#[tauri::command]\n";
    let unindented: String = source
        .lines()
        .map(|l| l.trim_start().to_string() + "\n")
        .collect();
    for after in unindented.split(attribute).skip(1) {
        let signature = &after[after.find("fn ").expect("a command is a fn") + 3..];
        let open = signature.find('(').unwrap();
        let name = signature[..open].trim().to_string();
        // The parameter list: up to the matching parenthesis.
        let mut depth = 0;
        let mut params = String::new();
        for c in signature[open..].chars() {
            match c {
                '(' | '<' => depth += 1,
                ')' | '>' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                break;
            }
            // Commas between parameters are at depth 1; others (in generics) deeper.
            params.push(if c == ',' && depth == 1 { ';' } else { c });
        }
        let sent = params[1..]
            .split(';')
            .filter_map(|p| p.split_once(':'))
            .filter(|(_, ty)| {
                let ty = ty.trim();
                !(ty.starts_with("State<") || ty.starts_with("AppHandle"))
            })
            .map(|(n, _)| n.trim().to_string())
            .collect();
        out.push((name, sent));
    }
    out
}

#[test]
fn the_parser_reads_parameters() {
    let source = "//! Each `#[tauri::command]` fn here.\n#[tauri::command]\nasync fn save_as(app: AppHandle, open: State<'_, Open>, options: Map<K, V>) -> R {}\n\
                  #[tauri::command]\nfn undo(open: State<Open>) -> DocumentView {}";
    assert_eq!(
        tauri_commands(source),
        vec![
            ("save_as".to_string(), vec!["options".to_string()]),
            ("undo".to_string(), vec![])
        ]
    );
}

#[test]
fn desktop_commands_take_the_tables_arguments() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri/src");
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            for (name, args) in tauri_commands(&std::fs::read_to_string(&path).unwrap()) {
                found.insert(name, args);
            }
        }
    }
    let want: BTreeMap<String, Vec<String>> = COMMANDS
        .iter()
        .filter(|c| c.desktop)
        .map(|c| {
            let args = c.args.iter().filter(|a| a.within.on_desktop());
            (
                c.name.to_string(),
                args.map(|a| a.name.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(
        found, want,
        "src-tauri's #[tauri::command] functions (left) are not archsim_app::COMMANDS' desktop commands (right)"
    );
}
