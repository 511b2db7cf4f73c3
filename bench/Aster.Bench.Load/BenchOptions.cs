using System.Globalization;

namespace Aster.Bench.Load;

/// <summary>Command-line settings shared by the subcommands; every default keeps a scenario within about 10 s.</summary>
internal sealed class BenchOptions
{
    public int Rounds { get; private set; } = 3;

    public TimeSpan Segment { get; private set; } = TimeSpan.FromSeconds(3);

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(1);

    public long BulkBytes { get; private set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Gets the size of the untimed transfer before our first timed one, so that the JIT has compiled the hot path with
    /// full optimization (tiered compilation promotes a method only after it ran a while) in both our processes.
    /// </summary>
    public long BulkWarmupBytes { get; private set; } = 64L * 1024 * 1024;

    public int Handshakes { get; private set; } = 200;

    public int HandshakeWarmup { get; private set; } = 20;

    public int StreamMessages { get; private set; } = 100_000;

    public string OutputDirectory { get; private set; } = Path.Combine("artifacts", "load");

    public string? PeerDirectory { get; private set; }

    public bool SkipIroh { get; private set; }

    /// <summary>Gets the Aster client's shared stream pool size; null keeps the client's default (sized from the peer's limit).</summary>
    public int? StreamPool { get; private set; }

    /// <summary>Gets the scenarios to run (<c>--only bulk,echo</c>); empty: all of them.</summary>
    public IReadOnlyList<string> Only { get; private set; } = [];

    /// <summary>Tells whether the scenario <paramref name="name"/> runs (<c>--only</c>).</summary>
    public bool Runs(string name) => Only.Count == 0 || Only.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses <c>--name value</c> pairs; <c>--smoke</c> shrinks everything to a quick check of the harness.</summary>
    public static BenchOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name == "--smoke")
            {
                options.Rounds = 1;
                options.Segment = TimeSpan.FromSeconds(0.5);
                options.Warmup = TimeSpan.FromSeconds(0.3);
                options.BulkBytes = 8L * 1024 * 1024;
                options.BulkWarmupBytes = 8L * 1024 * 1024;
                options.Handshakes = 20;
                options.HandshakeWarmup = 3;
                options.StreamMessages = 10_000;
                continue;
            }

            if (name == "--no-iroh")
            {
                options.SkipIroh = true;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value.");
            }

            string value = args[++i];
            switch (name)
            {
                case "--rounds": options.Rounds = Positive(name, value); break;
                case "--seconds": options.Segment = TimeSpan.FromSeconds(PositiveDouble(name, value)); break;
                case "--warmup": options.Warmup = TimeSpan.FromSeconds(PositiveDouble(name, value)); break;
                case "--bulk-mb": options.BulkBytes = Positive(name, value) * 1024L * 1024; break;
                case "--bulk-warmup-mb": options.BulkWarmupBytes = Positive(name, value) * 1024L * 1024; break;
                case "--handshakes": options.Handshakes = Positive(name, value); break;
                case "--stream-messages": options.StreamMessages = Positive(name, value); break;
                case "--out": options.OutputDirectory = value; break;
                case "--peer-dir": options.PeerDirectory = value; break;
                case "--stream-pool": options.StreamPool = Positive(name, value); break;
                case "--only": options.Only = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                default: throw new ArgumentException($"Unknown option {name}.");
            }
        }

        return options;
    }

    public const string Usage = """
        usage: Aster.Bench.Load transport|e2e|all [options]     (the client; starts its servers as child processes)
               Aster.Bench.Load server                           (the server role, started by the client)
        options: --rounds N (3)  --seconds S per timed segment (3)  --warmup S (1)  --bulk-mb N (64)
                 --bulk-warmup-mb N (64: untimed, before our first timed bulk transfer, so the JIT has optimized the path)
                 --handshakes N (200)  --stream-messages N (100000)  --out DIR (artifacts/load)
                 --peer-dir DIR (bench/Aster.Bench.Load/peer, found upwards)  --no-iroh  --smoke
                 --stream-pool N (e2e: the Aster client's shared stream pool; default sized from the peer's limit, 8 = the reference)
                 --alloc-profile (sampled allocations by type, client and server, on standard error)
                 --only bulk,handshake,echo (transport) or unary-1,unary-16,unary-64,server-stream (e2e): run only these scenarios
        """;

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"{name} needs a positive integer, not '{value}'.");

    private static double PositiveDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d > 0 ? d : throw new ArgumentException($"{name} needs a positive number, not '{value}'.");
}
