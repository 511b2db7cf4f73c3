// The end-to-end and transport load generator (performance.md, section 5.5). See BenchOptions.Usage.
using Aster.Bench.Load;
using Aster.Bench.Load.Hosting;
using Aster.Bench.Load.Scenarios;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(BenchOptions.Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    BenchOptions options = BenchOptions.Parse(args.AsSpan(1));
    switch (args[0])
    {
        case "server":
            return await BenchServer.RunAsync();
        case "transport":
            return await new TransportBench(options).RunAsync();
        case "e2e":
            return await new E2eBench(options).RunAsync();
        case "all":
            int status = await new TransportBench(options).RunAsync();
            return status != 0 ? status : await new E2eBench(options).RunAsync();
        default:
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
    }
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}
