using System.Security.Cryptography;
using Aster.Net.Identity;

namespace Aster.Trust;

/// <summary>The outcome of consuming a one-time-token nonce (trust.md section 5).</summary>
public enum NonceConsumeResult
{
    /// <summary>The nonce was unused and is now recorded as consumed (durably, for a file store).</summary>
    Consumed = 0,

    /// <summary>The nonce was already consumed by the same endpoint (idempotent re-presentation candidate).</summary>
    AlreadyConsumedBySameEndpoint = 1,

    /// <summary>The nonce was already consumed by another endpoint: a replay.</summary>
    AlreadyConsumed = 2,
}

/// <summary>Records which one-time-token nonces have been used (trust.md section 5).</summary>
public interface IOneTimeNonceStore
{
    /// <summary>Atomically consumes a nonce.</summary>
    /// <param name="nonce">Exactly 32 bytes.</param>
    /// <param name="expiresAt">The credential's expiry (Unix seconds); the entry may be collected 300 s after it.</param>
    /// <param name="endpoint">The endpoint presenting the token.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentException"><paramref name="nonce"/> is not 32 bytes.</exception>
    /// <exception cref="IOException">The store could not be updated; the caller must deny (fail closed).</exception>
    NonceConsumeResult TryConsume(ReadOnlySpan<byte> nonce, ulong expiresAt, EndpointId endpoint);

    /// <summary>Whether a nonce has been consumed.</summary>
    /// <param name="nonce">Exactly 32 bytes.</param>
    /// <returns>True when consumed.</returns>
    bool IsConsumed(ReadOnlySpan<byte> nonce);

    /// <summary>Removes entries whose expiry is at least 300 s in the past.</summary>
    /// <returns>How many entries were removed.</returns>
    int CollectExpired();
}

/// <summary>One consumed nonce.</summary>
/// <param name="ExpiresAt">Credential expiry (Unix seconds); <see cref="ulong.MaxValue"/> when unknown (reference format).</param>
/// <param name="EndpointId">The consuming endpoint as 64 lowercase hex, or empty when unknown.</param>
internal readonly record struct NonceEntry(ulong ExpiresAt, string EndpointId);

/// <summary>Shared logic of the nonce stores: an in-memory table with expiry collection and a size bound.</summary>
public abstract class NonceStoreBase : IOneTimeNonceStore
{
    /// <summary>Seconds after expiry before an entry may be collected.</summary>
    public const long CollectionMarginSeconds = 300;

    /// <summary>Default maximum number of live entries.</summary>
    public const int DefaultMaxEntries = 1_000_000;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly int _maxEntries;

    /// <summary>Creates the store.</summary>
    /// <param name="time">The clock used for collection.</param>
    /// <param name="maxEntries">Maximum live entries; a consume beyond it fails closed with <see cref="IOException"/>.</param>
    protected NonceStoreBase(TimeProvider? time, int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _time = time ?? TimeProvider.System;
        _maxEntries = maxEntries;
    }

    /// <summary>Number of entries currently held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return Entries.Count;
            }
        }
    }

    internal Dictionary<string, NonceEntry> Entries { get; } = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public NonceConsumeResult TryConsume(ReadOnlySpan<byte> nonce, ulong expiresAt, EndpointId endpoint)
    {
        string key = Key(nonce);
        string id = endpoint.ToString();
        lock (_lock)
        {
            return ConsumeLocked(key, expiresAt, id);
        }
    }

    /// <inheritdoc />
    public bool IsConsumed(ReadOnlySpan<byte> nonce)
    {
        string key = Key(nonce);
        lock (_lock)
        {
            return IsConsumedLocked(key);
        }
    }

    /// <inheritdoc />
    public int CollectExpired()
    {
        lock (_lock)
        {
            return CollectLocked();
        }
    }

    /// <summary>Performs a consume while holding the store lock; a file store reloads and saves around it.</summary>
    private protected virtual NonceConsumeResult ConsumeLocked(string key, ulong expiresAt, string endpointId) => ConsumeInTable(key, expiresAt, endpointId);

    /// <summary>Checks a key while holding the store lock.</summary>
    private protected virtual bool IsConsumedLocked(string key) => Entries.ContainsKey(key);

    /// <summary>Collects while holding the store lock.</summary>
    private protected virtual int CollectLocked() => CollectInTable();

    /// <summary>Consumes in the in-memory table.</summary>
    private protected NonceConsumeResult ConsumeInTable(string key, ulong expiresAt, string endpointId)
    {
        if (Entries.TryGetValue(key, out NonceEntry existing))
        {
            bool same = existing.EndpointId.Length == endpointId.Length
                && CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.ASCII.GetBytes(existing.EndpointId),
                    System.Text.Encoding.ASCII.GetBytes(endpointId));
            return same ? NonceConsumeResult.AlreadyConsumedBySameEndpoint : NonceConsumeResult.AlreadyConsumed;
        }

        if (Entries.Count >= _maxEntries)
        {
            CollectInTable();
            if (Entries.Count >= _maxEntries)
            {
                throw new IOException("nonce store is full");
            }
        }

        Entries[key] = new NonceEntry(expiresAt, endpointId);
        return NonceConsumeResult.Consumed;
    }

    /// <summary>Removes collectable entries from the table.</summary>
    private protected int CollectInTable()
    {
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        List<string>? dead = null;
        foreach (KeyValuePair<string, NonceEntry> kv in Entries)
        {
            if (kv.Value.ExpiresAt != ulong.MaxValue && now >= 0
                && (ulong)now >= SaturatingAdd(kv.Value.ExpiresAt, CollectionMarginSeconds))
            {
                (dead ??= []).Add(kv.Key);
            }
        }

        foreach (string k in dead ?? [])
        {
            Entries.Remove(k);
        }

        return dead?.Count ?? 0;
    }

    private static ulong SaturatingAdd(ulong a, long b) => a > ulong.MaxValue - (ulong)b ? ulong.MaxValue : a + (ulong)b;

    private static string Key(ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length != ConsumerEnrollmentCredential.NonceSize)
        {
            throw new ArgumentException("nonce must be 32 bytes", nameof(nonce));
        }

        return Convert.ToHexStringLower(nonce);
    }
}

/// <summary>
/// A nonce store that lives only in process memory. For tests and for the explicit <c>nonce_store = "memory"</c>
/// setting; a restart forgets every consumed token.
/// </summary>
public sealed class InMemoryNonceStore : NonceStoreBase
{
    /// <summary>Creates an empty store.</summary>
    /// <param name="time">The clock for collection; the system clock when null.</param>
    /// <param name="maxEntries">Maximum live entries.</param>
    public InMemoryNonceStore(TimeProvider? time = null, int maxEntries = DefaultMaxEntries)
        : base(time, maxEntries)
    {
    }
}
