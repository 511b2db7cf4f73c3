using BenchmarkDotNet.Running;

if (args is ["--b3sum-compare", string file, ..])
{
    Aster.Bench.Micro.Crypto.Blake3FileCompare.Run(file, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

if (args is ["--fory-cputime", ..])
{
    Aster.Bench.Micro.Fory.ForyCpuTime.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15, args.Length > 2 ? args[2] : null);
    return;
}

if (args is ["--zstd-ratio", ..])
{
    Aster.Bench.Micro.Compression.ZstdRatio.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1);
    return;
}

if (args is ["--rpc-split", ..])
{
    int calls = args.Length > 1 && int.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : 200_000;
    int rounds = Array.IndexOf(args, "--rounds") is int at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : 1;
    await Aster.Bench.Micro.Rpc.UnaryCostSplit.RunAsync(calls, args.Contains("--types"), args.Contains("--xlang"), rounds);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
