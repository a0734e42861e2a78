/// The help text of each command, printed for `--help` and kept next to each other so they stay
/// consistent.
enum HelpText {
    static let main = """
    loadgate — load tests and readiness gates for AI-agent platforms

    Usage: loadgate <command> [options]

    Commands:
      run SCENARIO        drive load as the scenario says, judge its SLOs, write results
      capacity SCENARIO   find the highest arrival rate that still meets the scenario's SLOs
      check CHECKLIST     walk a deployment verification checklist (VPN, DNS, mTLS, secrets, ...)
      gate                checklist + scenarios -> one audit-ready bundle (JSON, JUnit, Markdown, HTML)
      compare BASE NEW    is NEW worse than BASE? per step p50/p95/p99, availability, throughput
      verify DIR          recompute a bundle's digests (and HMAC) and name any changed file
      report DIR          re-render a bundle's or a run folder's HTML (and a bundle's Markdown, JUnit)
      target              run the built-in demo target (the platform, impersonated) on loopback
      demo                start the demo target and gate it: the whole job in one command
      validate FILE...    check scenario, checklist and attestation files without running them
      merge DIR...        merge the run folders of a sharded test into one exact verdict
      kube SCENARIO       print Kubernetes manifests that run a scenario as N shards and merge them
      version             print the version and the libcurl in use

    Exit codes: 0 passed · 1 gate failed · 2 invalid usage or input ·
                3 verdict invalid (interrupted, or the load could not be generated) · 4 internal error

    Run 'loadgate <command> --help' for a command's options.

    """

    static let run = """
    Usage: loadgate run SCENARIO [options]

    Runs the scenario's steps under its load model, records latency histograms, judges the SLOs
    and writes summary.json and report.html (charts, error samples, generator health) to a new
    results folder. An SLO "over 1m" must hold in every minute; an SLO with "abortOnFail" stops
    the run as soon as it fails (exit 1, results written).

    Options:
      --target URL        replace the scenario's target base URL
      --rate N            open model: start N iterations per second (replaces the load model)
      --vus N             closed model: N virtual users (replaces the load model)
      --duration D        run length, e.g. 30s, 2m (replaces stages)
      --workers N         worker threads (default: one per core)
      --out DIR           write results to DIR (must not already hold a run)
      --shard I/N         run shard I (0-based) of N: rate/N, VUs and iterations split
                          (auto/N: index from JOB_COMPLETION_INDEX or GitLab's CI_NODE_INDEX)
      --start-at TIME     wait until TIME (RFC 3339 UTC, e.g. 2026-11-26T10:00:00Z) so shards start together
      --metrics-listen A  serve Prometheus/OpenMetrics at http://A/metrics while running
                          (127.0.0.1:PORT; PORT alone is loopback; another address only if named)
      --quiet             no progress on stderr
      -h, --help          show this help

    Besides summary.json the folder holds latency.hlog (an HdrHistogram interval log: one line per
    second and step, microseconds) and totals.hlog (the run's other histograms), which merge reads.

    """

    static let merge = """
    Usage: loadgate merge DIR... [options]

    Merges the run folders of the shards of one test (loadgate run --shard I/N) exactly: latency
    histograms by counts, counters by sums, time series by wall-clock second. Judges the
    scenario's SLOs on the merged data and writes a run folder like run's (summary.json,
    latency.hlog, totals.hlog). Exit codes as run's; 2 when the folders are not the N shards of
    one scenario (different scenario digests, a different N, a shard twice, a shard missing).

    Options:
      --out DIR           write the merged run to DIR (must not already hold a run)
      --allow-partial     merge even if shards are missing (the verdict is then invalid)
      --scenario FILE     the scenario file, if it is no longer where the shards read it
      --wait D            first wait up to D (e.g. 30m) for every folder to hold summary.json
      -h, --help          show this help

    """

    static let kube = """
    Usage: loadgate kube SCENARIO --shards N --image IMAGE [options]

    Prints Kubernetes manifests (a JSON List for kubectl apply -f -): a ConfigMap holding the
    scenario, a PersistentVolumeClaim for results, an Indexed Job running N shards that start
    together, and a Job that merges them. Values the scenario takes from ${env.NAME} come from a
    Secret (valueFrom.secretKeyRef), never inlined.

    Options:
      --shards N          number of shards (pods), from 1 to 1000
      --image IMAGE       the LoadGate container image (see Containerfile)
      --namespace NS      namespace of every object (default: default)
      --start-in D        shards start this long after the manifests are printed (default 60s)
      --secret NAME       the Secret holding the scenario's environment values (default: loadgate-<name>-env)
      --storage SIZE      size of the results volume claim (default 1Gi)
      -h, --help          show this help

    """

    static let capacity = """
    Usage: loadgate capacity SCENARIO [options]

    Runs the scenario's steps in the open model at increasing offered rates: doubling until the
    first SLO breach, then bisecting between the last passing and first failing rate. Each rate is
    held for the step duration after a warm-up that is run but not measured; the scenario's SLOs
    are judged on each step alone. If the generator (CPU, connections) rather than the target is
    the limit, the result says so, gives the lower bound it proved and exits 3.

    Options:
      --from R            first offered rate per second (default: the scenario's rate, or 10)
      --to R              ceiling (default 1000)
      --step-duration D   measured time per rate (default 5s)
      --warmup D          unmeasured warm-up per rate (default 1s)
      --precision P       stop bisecting when rates are within P (default 5%)
      --connections N     at most N requests in flight (default: the scenario's, or 100)
      --workers N         worker threads (default: one per core)
      --max-time D        bound on the whole search (default 10m)
      --target URL        replace the scenario's target base URL
      --out DIR           write capacity.json to DIR (must not already hold one)
      --metrics-listen A  serve Prometheus/OpenMetrics at http://A/metrics while searching
      --quiet             no per-step lines on stderr
      -h, --help          show this help

    Exit codes: 0 capacity found (or no breach up to --to) · 1 even --from breached the SLOs ·
                2 invalid input · 3 generator-limited, interrupted or out of time

    """

    static let check = """
    Usage: loadgate check CHECKLIST [options]

    Runs every item of a deployment verification checklist (tcp, vpn, dns, tls, http, secrets,
    redis, prometheus, command, manual), concurrently and each within its timeout, and writes
    checklist.json with expected and observed evidence per item. Secret values are never shown.

    Options:
      --attestations FILE  signed-off evidence for manual items, and waivers
      --only TAG           run only items with this tag (others are skipped)
      --section NAME       run only this section
      --concurrency N      items checked at once (default 8)
      --out DIR            write checklist.json to DIR (must not already hold one)
      --quiet              (accepted for symmetry; the table is printed on stdout)
      -h, --help           show this help

    Exit codes: 0 every selected item passed or was waived · 1 an item failed · 2 invalid input

    """

    static let gate = """
    Usage: loadgate gate --scenario FILE [--scenario FILE ...] [--checklist FILE] [options]

    Runs the checklist first (a failed critical item stops before load), then each scenario, and
    writes one readiness bundle: report.json, junit.xml, report.md, report.html,
    histograms/*.hgrm and MANIFEST.sha256 (plus MANIFEST.sig, an HMAC-SHA256, when
    LOADGATE_SIGNING_KEY is set). report.md is appended to $GITHUB_STEP_SUMMARY when set.

    Options:
      --scenario FILE      a scenario to run (repeatable)
      --merged DIR         a run merged from shards by loadgate merge, judged as merged (repeatable)
      --checklist FILE     the deployment verification checklist
      --attestations FILE  attestations and waivers for the checklist
      --continue-on-fail   run the scenarios even if a critical check failed, and the
                           remaining scenarios after an abortOnFail SLO stopped one
      --target URL         replace every scenario's target base URL
      --workers N          worker threads per scenario (default: one per core)
      --out DIR            bundle folder (must not already hold a report)
      --baseline DIR       compare each scenario with this earlier gate bundle (verified first;
                           a tampered one is refused); a regression fails the gate
      --max-regression P   relative tolerance for --baseline (default 10%)
      --floor D            latency noise floor for --baseline (default 10ms)
      --allow-invalid-baseline  compare with baseline runs whose verdict was invalid
      --metrics-listen A   serve Prometheus/OpenMetrics at http://A/metrics while running
      --quiet              no progress on stderr
      -h, --help           show this help

    The operator recorded in the bundle is $LOADGATE_OPERATOR, else the login name.

    Exit codes: 0 every SLO and non-waived check passed · 1 something failed ·
                2 invalid input · 3 a run was interrupted or its load could not be generated

    """

    static let verify = """
    Usage: loadgate verify DIR

    Recomputes the SHA-256 of every file of a readiness bundle against MANIFEST.sha256, and the
    HMAC in MANIFEST.sig when LOADGATE_SIGNING_KEY is set. Exit 0 intact, 1 tampered.

    """

    static let report = """
    Usage: loadgate report DIR [--format html|md|junit|json]

    Re-renders one format to stdout from the folder's data alone: a gate bundle's report.json
    (html, md, junit, json) or a run folder's summary.json (html, json).

    """

    static let target = """
    Usage: loadgate target [--port N] [--host 127.x.y.z] [--latency DIST] [--error-rate P]
                           [--stall EVERY:FOR] [--slow-after AFTER:ADDED] [--mcp-json|--mcp-sse]
                           [--workflow-duration D]

    Serves, on loopback only, what the platform serves: /health/live, /health/ready,
    /api/v1/health, /metrics (the bmw_* families), POST /mcp (MCP Streamable HTTP, session era;
    tools echo, sleep_ms, fail), POST /api/v1/workflows + GET /api/v1/workflows/{id}, and an A2A
    1.0 agent (/.well-known/agent-card.json, POST /a2a). Faults for proving a gate fails:
      --latency fixed:10ms | uniform:5ms-20ms | lognormal:10ms,0.5
      --error-rate 0.05    answer 5% of requests with HTTP 500
      --stall 10s:1s       every 10 s, hold every answer for 1 s
      --slow-after 15s:80ms  from 15 s after start, answer every request 80 ms slower

    """

    static let demo = """
    Usage: loadgate demo [--out DIR] [--quiet]

    Starts the demo target in-process on a free loopback port, runs checklists/demo.json and the
    demo scenarios against it (about 20 s), writes the full readiness bundle and prints where the
    HTML report is.

    """

    static let validate = """
    Usage: loadgate validate FILE...

    Checks scenario, checklist and attestation files (told apart by their content) and
    reports every problem with its location. Unset ${env.X} variables are listed as
    warnings (a run would refuse them); JSON Schema files are skipped.

    Options:
      -h, --help          show this help

    """

    static let version = """
    Usage: loadgate version

    Prints the LoadGate version and the libcurl it uses.

    """
}
