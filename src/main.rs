//! The `mediarecorder` command: the engine, headless.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One clear line (with its causes), never a panic trace.
            eprintln!("mediarecorder: {e:#}");
            ExitCode::FAILURE
        }
    }
}
