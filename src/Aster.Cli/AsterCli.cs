using System.CommandLine;
using System.Text.Json;
using Aster.Cli.Commands;
using Aster.Client;
using Aster.Configuration;
using Aster.Contracts;
using Aster.Fory;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Trust;

namespace Aster.Cli;

/// <summary>The <c>aster</c> command: builds the command tree, runs one command line, and turns failures into exit codes.</summary>
internal static class AsterCli
{
    /// <summary>Builds the command tree for <paramref name="host"/>.</summary>
    public static RootCommand Build(CliHost host)
    {
        var profile = new Option<string?>("--profile", "-p")
        {
            Description = "Operator profile whose root key signs (overrides ASTER_PROFILE and active_profile in ~/.aster/config.toml).",
            Recursive = true,
        };
        var root = new RootCommand("Aster: keys, enrollment, identities, contracts and calls for the Aster peer-to-peer RPC framework.")
        {
            profile,
            KeygenCommand.Create(host, profile),
            TrustCommand.Create(host, profile),
            EnrollCommand.Create(host, profile),
            ProfileCommand.Create(host, profile),
            IdentityCommand.Create(host),
            ConfigCommand.Create(host),
            ContractCommand.Create(host),
            CallCommand.Create(host),
            McpCommand.Create(host),
        };
        return root;
    }

    /// <summary>Runs one command line. Never throws: every failure is one line on stderr and an exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(host);
        RootCommand root = Build(host);
        ParseResult parsed = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = host.Out, Error = host.Error, EnableDefaultExceptionHandler = false };
        if (parsed.Errors.Count > 0)
        {
            // Parse errors are usage errors (exit 2); help still goes to stdout when asked for.
            bool helpAsked = args.Any(a => a is "-h" or "--help" or "-?");
            if (!helpAsked)
            {
                foreach (var error in parsed.Errors)
                {
                    host.Error.WriteLine("error: " + error.Message);
                }

                host.Error.WriteLine("Run 'aster --help' (or 'aster <command> --help') for usage.");
                return ExitCodes.Usage;
            }
        }

        try
        {
            return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            (int code, string message) = Describe(ex, cancellationToken);
            host.Error.WriteLine("error: " + message);
            return code;
        }
    }

    /// <summary>Maps an exception to its exit code and one line of text; never a stack trace.</summary>
    internal static (int Code, string Message) Describe(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        CliException cli => (cli.ExitCode, cli.Message),
        OperationCanceledException when cancellationToken.IsCancellationRequested => (ExitCodes.Interrupted, "interrupted"),
        RpcException rpc => (ExitCodeOf(rpc.StatusCode), RpcMessage(rpc)),
        AdmissionException admission => admission.Failure switch
        {
            AdmissionFailure.Unavailable => (ExitCodes.Unreachable, "admission unavailable: " + admission.Message),
            AdmissionFailure.Malformed => (ExitCodes.Failed, "admission failed: " + admission.Message),
            _ => (ExitCodes.AdmissionDenied, "admission denied: " + admission.Message),
        },
        TransportException transport => (ExitCodes.Unreachable, "peer unreachable: " + transport.Message),
        TimeoutException timeout => (ExitCodes.Unreachable, "timed out: " + timeout.Message),
        ConfigurationException or TrustFormatException or IdentityFormatException or ContractException or ForyException
            or JsonException or FormatException => (ExitCodes.Failed, exception.Message),
        UnauthorizedAccessException or IOException => (ExitCodes.Failed, exception.Message),
        BadImageFormatException => (ExitCodes.Failed, "not a .NET assembly: " + exception.Message),
        _ => (ExitCodes.Failed, $"{exception.GetType().Name}: {exception.Message}"),
    };

    private static int ExitCodeOf(StatusCode code) => code switch
    {
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => ExitCodes.Unreachable,
        _ => ExitCodes.Failed,
    };

    private static string RpcMessage(RpcException rpc)
    {
        string name = StatusCodeNames.GetName(rpc.StatusCode);
        string hint = rpc.StatusCode switch
        {
            StatusCode.PermissionDenied => " (the credential's role does not allow this method)",
            StatusCode.Unauthenticated => " (the server did not accept this identity)",
            StatusCode.Unavailable => " (the peer is unreachable or went away)",
            StatusCode.DeadlineExceeded => " (no answer within the timeout)",
            StatusCode.Unimplemented => " (the server has no such service or method)",
            _ => string.Empty,
        };
        return $"{name} ({(int)rpc.StatusCode}): {rpc.Status.Message}{hint}";
    }
}
