using System.Collections.Concurrent;
using Aster.Net.Identity;

namespace Aster.Trust;

/// <summary>
/// The admission authority of dev mode (trust.md 10): every connection is allowed, an empty consumer credential is
/// auto-admitted as an <see cref="AdmissionPath.OpenGate"/> record, and any non-empty credential is denied, because
/// the ephemeral root it would have to name has never signed anything. A networked server without a configured
/// authority uses one with a fresh ephemeral root.
/// </summary>
public sealed class OpenAdmissionAuthority : IAdmissionAuthority
{
    /// <summary>The most admission records kept; beyond it expired records are swept, then the oldest dropped.</summary>
    public const int MaxRecords = 100_000;

    private readonly ConcurrentDictionary<EndpointId, PeerAdmission> _records = new();
    private readonly TimeProvider _time;
    private readonly long _peerTtlSeconds;

    /// <summary>Creates an open authority whose admission responses name <paramref name="rootPublicKey"/>.</summary>
    /// <param name="rootPublicKey">32 bytes: the (ephemeral) root public key.</param>
    /// <param name="peerTtl">How long an open-gate admission lives (trust.md 6). Defaults to 86,400 s.</param>
    /// <param name="timeProvider">The clock. Defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public OpenAdmissionAuthority(ReadOnlySpan<byte> rootPublicKey, TimeSpan? peerTtl = null, TimeProvider? timeProvider = null)
    {
        if (rootPublicKey.Length != 32)
        {
            throw new ArgumentException("The root public key must be 32 bytes.", nameof(rootPublicKey));
        }

        RootPublicKeyHex = Convert.ToHexStringLower(rootPublicKey);
        _time = timeProvider ?? TimeProvider.System;
        _peerTtlSeconds = (long)(peerTtl ?? TimeSpan.FromSeconds(86_400)).TotalSeconds;
        if (_peerTtlSeconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(peerTtl), "The peer TTL must be positive.");
        }
    }

    /// <summary>Creates an open authority with a fresh ephemeral root: its private half is discarded at once.</summary>
    /// <param name="timeProvider">The clock. Defaults to <see cref="TimeProvider.System"/>.</param>
    /// <returns>The authority.</returns>
    public static OpenAdmissionAuthority CreateEphemeral(TimeProvider? timeProvider = null)
    {
        using RootKey root = RootKey.Generate();
        return new OpenAdmissionAuthority(root.PublicKey, timeProvider: timeProvider);
    }

    /// <inheritdoc/>
    public bool ConsumersGated => false;

    /// <inheritdoc/>
    public bool ProducersGated => false;

    /// <inheritdoc/>
    public string RootPublicKeyHex { get; }

    /// <inheritdoc/>
    public ValueTask<bool> AllowConnectionAsync(EndpointId peer, string alpn, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(!cancellationToken.IsCancellationRequested);

    /// <inheritdoc/>
    public ValueTask<ConsumerAdmissionDecision> AdmitConsumerAsync(EndpointId peer, ConsumerAdmissionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.HasCredential || cancellationToken.IsCancellationRequested)
        {
            // The ephemeral root cannot have signed any credential: a bad credential is denied, never silently admitted.
            return ValueTask.FromResult(ConsumerAdmissionDecision.Denied);
        }

        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        var record = new PeerAdmission(peer, string.Empty, new Dictionary<string, string>(), now, 0, AdmissionPath.OpenGate);
        if (_records.Count >= MaxRecords)
        {
            Trim(now);
        }

        _records[peer] = record;
        return ValueTask.FromResult(new ConsumerAdmissionDecision(true, record.Attributes));
    }

    /// <inheritdoc/>
    public PeerAdmission? FindAdmission(EndpointId peer)
    {
        if (!_records.TryGetValue(peer, out PeerAdmission? record))
        {
            return null;
        }

        if (IsLive(record, _time.GetUtcNow().ToUnixTimeSeconds()))
        {
            return record;
        }

        _records.TryRemove(new KeyValuePair<EndpointId, PeerAdmission>(peer, record));
        return null;
    }

    private bool IsLive(PeerAdmission record, long now)
        => now < record.AdmittedAt + _peerTtlSeconds && (record.ExpiresAt == 0 || now < record.ExpiresAt);

    private void Trim(long now)
    {
        foreach (KeyValuePair<EndpointId, PeerAdmission> entry in _records)
        {
            if (!IsLive(entry.Value, now))
            {
                _records.TryRemove(entry);
            }
        }

        int excess = _records.Count - (MaxRecords - 1);
        if (excess > 0)
        {
            foreach (KeyValuePair<EndpointId, PeerAdmission> oldest in _records.OrderBy(e => e.Value.AdmittedAt).Take(excess).ToList())
            {
                _records.TryRemove(oldest);
            }
        }
    }
}
