//! The `mediarecorder` command: the engine, headless.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One clear line (with its causes), never a panic trace. A cause already spelled out
            // by the message above it (an I/O error names its OS reason) is not repeated.
            let mut line = String::from("mediarecorder");
            for cause in e.chain().map(ToString::to_string) {
                if !line.contains(&cause) {
                    line = format!("{line}: {cause}");
                }
            }
            eprintln!("{line}");
            ExitCode::FAILURE
        }
    }
}
