using BenchmarkDotNet.Running;

if (args is ["--b3sum-compare", string file, ..])
{
    Aster.Bench.Micro.Crypto.Blake3FileCompare.Run(file, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
