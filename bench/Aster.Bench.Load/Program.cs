// The end-to-end and transport load generator (performance.md, section 5.5). See BenchOptions.Usage.
using Aster.Bench.Load;
using Aster.Bench.Load.Hosting;
using Aster.Bench.Load.Measurement;
using Aster.Bench.Load.Scenarios;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(BenchOptions.Usage);
    return args.Length == 0 ? 2 : 0;
}

// --alloc-profile: sample allocations by type in this process and in the server child (which inherits the variable).
const string AllocProfileVariable = "ASTER_BENCH_ALLOC_PROFILE";
if (args.Contains("--alloc-profile"))
{
    Environment.SetEnvironmentVariable(AllocProfileVariable, "1");
}

using AllocationSampler? sampler = Environment.GetEnvironmentVariable(AllocProfileVariable) == "1" ? new AllocationSampler() : null;
try
{
    BenchOptions options = BenchOptions.Parse([.. args.Skip(1).Where(a => a != "--alloc-profile")]);
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
finally
{
    if (sampler is not null)
    {
        await Console.Error.WriteLineAsync(sampler.Top(args[0]));
    }
}
