//! The `jetson` binary. Everything lives in the library; see `lib.rs`.

fn main() -> std::process::ExitCode {
    jetson::cli::main()
}
