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

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
