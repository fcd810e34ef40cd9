// The archsim desktop window. All logic is in the library (and below it,
// archsim-app); this only starts it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    archsim_desktop::run();
}
