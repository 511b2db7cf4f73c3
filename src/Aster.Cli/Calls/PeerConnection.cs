using System.Net;
using System.Net.Sockets;
using Aster.Client;
using Aster.Codec;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Transport;

namespace Aster.Cli.Calls;

/// <summary>
/// An <see cref="AsterClient"/> on its own QUIC endpoint, dialled to one peer over <c>aster/1</c> with the caller's
/// node key. Consumer admission is not run here yet: the networked client that runs it replaces this type.
/// </summary>
internal sealed class PeerConnection : IAsyncDisposable
{
    private readonly AsterEndpoint _endpoint;

    private PeerConnection(AsterEndpoint endpoint, AsterClient client)
    {
        _endpoint = endpoint;
        Client = client;
    }

    public AsterClient Client { get; }

    /// <summary>Dials <paramref name="address"/>; a failure or <paramref name="connectTimeout"/> is exit code 4.</summary>
    public static async Task<PeerConnection> ConnectAsync(EndpointAddr address, SecretKey nodeKey, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        IPEndPoint remote = (address.DirectAddresses.Count > 0 ? address.DirectAddresses[0] : null)
            ?? throw new CliException(ExitCodes.Unreachable, $"no addressing information for {address.Id}; use an aster1… ticket or a NodeAddr with direct addresses");
        var options = new AsterEndpointOptions
        {
            SecretKey = nodeKey,
            BindAddress = new IPEndPoint(LocalFor(remote.Address), 0),
        };
        AsterEndpoint endpoint = await AsterEndpoint.BindAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connectTimeout);
            AsterConnection connection;
            try
            {
                connection = await endpoint.ConnectAsync(new EndpointAddr(address.Id, address.RelayUrl, [remote]), "aster/1", timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.Unreachable, $"peer unreachable: no QUIC handshake with {remote} within {connectTimeout.TotalSeconds:0.#} s");
            }

            var client = new AsterClient(new QuicRpcConnection(connection), new AsterClientOptions { Codecs = CallCodecs.Instance });
            return new PeerConnection(endpoint, client);
        }
        catch
        {
            await endpoint.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        await _endpoint.DisposeAsync().ConfigureAwait(false);
    }

    private static IPAddress LocalFor(IPAddress remote)
    {
        if (IPAddress.IsLoopback(remote))
        {
            return remote.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        }

        return remote.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
    }
}

/// <summary>The codecs of the tool's calls: JSON values only, through the dynamic client (no message types are registered).</summary>
internal static class CallCodecs
{
#pragma warning disable IL2026, IL3050 // the tool is not trimmed (IsAotCompatible is false)
    public static readonly ICodecProvider Instance = new ForyCodecProvider();
#pragma warning restore IL2026, IL3050
}
