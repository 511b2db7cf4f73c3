namespace Aster.Cli;

/// <summary>The exit codes scripts can rely on (config-and-cli.md 10.1).</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The operation failed: an RPC returned a non-OK status, a verification mismatch, an I/O error.</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;

    /// <summary>Consumer admission was denied.</summary>
    public const int AdmissionDenied = 3;

    /// <summary>The peer could not be reached or did not answer in time.</summary>
    public const int Unreachable = 4;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;
}

/// <summary>A failure a command reports as one line on stderr with its exit code.</summary>
internal sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>A usage error (exit code 2).</summary>
    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    /// <summary>An operation failure (exit code 1).</summary>
    public static CliException Failed(string message, Exception? inner = null) => new(ExitCodes.Failed, message, inner);
}
