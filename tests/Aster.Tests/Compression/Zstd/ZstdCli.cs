using System.Diagnostics;

namespace Aster.Tests.Compression.Zstd;

/// <summary>Runs the <c>zstd</c> command-line tool to produce real compressed corpora at test time.</summary>
internal static class ZstdCli
{
    private static readonly Lazy<bool> _available = new(() =>
    {
        try
        {
            return Run(["--version"], []).Length > 0;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return false;
        }
    });

    public static string? SkipReason => _available.Value ? null : "the zstd command-line tool is not on PATH (apt-get install zstd)";

    /// <summary>Compresses <paramref name="data"/>; through a file when <paramref name="viaFile"/> (so the frame records the size), else through stdin.</summary>
    public static byte[] Compress(byte[] data, string[] arguments, bool viaFile = true)
    {
        if (!viaFile)
        {
            return Run(["-q", "-c", .. arguments], data);
        }

        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, data);
            return Run(["-q", "-c", .. arguments, path], []);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Decompresses <paramref name="frame"/> with the real tool (which checks the content checksum).</summary>
    public static byte[] Decompress(byte[] frame) => Run(["-d", "-q", "-c"], frame);

    private static byte[] Run(string[] arguments, byte[] input)
    {
        var start = new ProcessStartInfo("zstd")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("zstd did not start");
        Task writing = Task.Run(async () =>
        {
            await process.StandardInput.BaseStream.WriteAsync(input);
            process.StandardInput.Close();
        });
        using var output = new MemoryStream();
        Task reading = process.StandardOutput.BaseStream.CopyToAsync(output);
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (!Task.WaitAll([writing, reading, errors], TimeSpan.FromSeconds(180)) || !process.WaitForExit(180_000))
        {
            process.Kill();
            throw new TimeoutException("zstd did not finish in 180 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"zstd {string.Join(' ', arguments)} failed: {errors.Result}");
        }

        return output.ToArray();
    }
}

/// <summary>A fact that needs the zstd CLI; it skips, saying why, only when the tool is absent.</summary>
internal sealed class ZstdCliFactAttribute : FactAttribute
{
    public ZstdCliFactAttribute()
    {
        if (ZstdCli.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that needs the zstd CLI; it skips, saying why, only when the tool is absent.</summary>
internal sealed class ZstdCliTheoryAttribute : TheoryAttribute
{
    public ZstdCliTheoryAttribute()
    {
        if (ZstdCli.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
