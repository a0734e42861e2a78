/// The help text of each command, printed for `--help` and kept next to each other so they stay
/// consistent.
enum HelpText {
    static let main = """
    loadgate — load tests and readiness gates for AI-agent platforms

    Usage: loadgate <command> [options]

    Commands:
      run SCENARIO        drive load as the scenario says, judge its SLOs, write results
      validate FILE...    check scenario files without running them
      version             print the version and the libcurl in use

    Exit codes: 0 passed · 1 gate failed · 2 invalid usage or input ·
                3 verdict invalid (interrupted, or the load could not be generated) · 4 internal error

    Run 'loadgate <command> --help' for a command's options.

    """

    static let run = """
    Usage: loadgate run SCENARIO [options]

    Runs the scenario's steps under its load model, records latency histograms, judges the SLOs
    and writes summary.json to a new results folder.

    Options:
      --target URL        replace the scenario's target base URL
      --rate N            open model: start N iterations per second (replaces the load model)
      --vus N             closed model: N virtual users (replaces the load model)
      --duration D        run length, e.g. 30s, 2m (replaces stages)
      --workers N         worker threads (default: one per core)
      --out DIR           write results to DIR (must not already hold a run)
      --quiet             no progress on stderr
      -h, --help          show this help

    """

    static let validate = """
    Usage: loadgate validate FILE...

    Checks scenario files and reports every problem with its location. Unset ${env.X}
    variables are listed as warnings (a run would refuse them).

    Options:
      -h, --help          show this help

    """

    static let version = """
    Usage: loadgate version

    Prints the LoadGate version and the libcurl it uses.

    """
}
