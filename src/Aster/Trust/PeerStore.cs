using System.Text.Json;
using Aster.Net.Identity;
using Aster.Protocol.Json;
using Aster.Trust.Mesh;

namespace Aster.Trust;

/// <summary>
/// The admission records (trust.md section 6): the bridge from gate 1 to gates 0 and 3. A record is live while
/// <c>now &lt; expires_at</c> (when non-zero) and <c>now &lt; admitted_at + peer_ttl</c>; a new admission of the same
/// endpoint replaces the old record; dead records go on lookup and in a sweep every 300 s. Records obtained with a
/// one-time token are also written to <c>admissions.json</c> (with the nonce store's durability), so that a consumer whose
/// token is already burnt is still admitted after a restart. It is also where the producer mesh records the producers it
/// admits and removes those a salt rotation excludes (<see cref="IMeshAdmissionRecords"/>).
/// </summary>
public sealed class PeerStore : IMeshAdmissionRecords, IDisposable
{
    /// <summary>The default record lifetime, 86,400 s (<c>ASTER_PEER_TTL_S</c>).</summary>
    public static readonly TimeSpan DefaultPeerTtl = TimeSpan.FromSeconds(86_400);

    /// <summary>How often dead records are swept from memory.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(300);

    /// <summary>The default maximum number of records held.</summary>
    public const int DefaultMaxRecords = 1_000_000;

    /// <summary>The largest <c>admissions.json</c> read (64 MiB).</summary>
    public const long MaxFileSize = 64L * 1024 * 1024;

    private const string What = "admission store";
    private static readonly IReadOnlyDictionary<string, string> _noAttributes = new Dictionary<string, string>();

    private readonly Lock _lock = new();
    private readonly Dictionary<EndpointId, Entry> _records = [];
    private readonly TimeProvider _time;
    private readonly long _ttlSeconds;
    private readonly int _maxRecords;
    private readonly string? _path;
    private readonly string? _lockPath;
    private readonly ITimer _sweeper;
    private bool _disposed;

    /// <summary>Creates a store held only in memory (one-time-token admissions are lost on restart).</summary>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="peerTtl">The record lifetime; <see cref="DefaultPeerTtl"/> when null.</param>
    /// <param name="maxRecords">The most records held; a new admission beyond it is refused.</param>
    public PeerStore(TimeProvider? time = null, TimeSpan? peerTtl = null, int maxRecords = DefaultMaxRecords)
        : this(null, time, peerTtl, maxRecords)
    {
    }

    private PeerStore(string? path, TimeProvider? time, TimeSpan? peerTtl, int maxRecords)
    {
        TimeSpan ttl = peerTtl ?? DefaultPeerTtl;
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.FromSeconds(1), nameof(peerTtl));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        _time = time ?? TimeProvider.System;
        _ttlSeconds = (long)ttl.TotalSeconds;
        _maxRecords = maxRecords;
        if (path is not null)
        {
            _path = Path.GetFullPath(path);
            _lockPath = _path + ".lock";
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            using FileStream guard = DurableFile.AcquireLock(_lockPath);
            Dictionary<EndpointId, Entry> onDisk = Load();
            long now = Now;
            foreach ((EndpointId id, Entry entry) in onDisk)
            {
                if (IsLive(entry.Admission, now))
                {
                    _records[id] = entry;
                }
            }

            if (_records.Count != onDisk.Count)
            {
                Save(_records);
            }
        }

        _sweeper = _time.CreateTimer(static state => ((PeerStore)state!).Sweep(), this, SweepInterval, SweepInterval);
    }

    /// <summary>The record lifetime (<c>peer_ttl</c>).</summary>
    public TimeSpan PeerTtl => TimeSpan.FromSeconds(_ttlSeconds);

    /// <summary>The persistence file, or null for a store held only in memory.</summary>
    public string? FilePath => _path;

    /// <summary>The number of records held (live or not yet swept).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _records.Count;
            }
        }
    }

    /// <summary>
    /// Opens a persistent store at <paramref name="path"/> (normally <c>admissions.json</c> beside <c>nonces.json</c>),
    /// loading the one-time-token records that are still live and dropping the rest.
    /// </summary>
    /// <param name="path">The store file.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="peerTtl">The record lifetime; <see cref="DefaultPeerTtl"/> when null.</param>
    /// <param name="maxRecords">The most records held.</param>
    /// <returns>The store.</returns>
    /// <exception cref="TrustFormatException">The file exists but cannot be parsed; the message names it.</exception>
    /// <exception cref="IOException">The file cannot be read or rewritten.</exception>
    public static PeerStore Open(string path, TimeProvider? time = null, TimeSpan? peerTtl = null, int maxRecords = DefaultMaxRecords)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new PeerStore(path, time, peerTtl, maxRecords);
    }

    /// <summary>Records (or replaces) the admission of <see cref="PeerAdmission.EndpointId"/>, in memory only.</summary>
    /// <param name="admission">The record.</param>
    /// <exception cref="InvalidOperationException">The store is full of live records.</exception>
    /// <exception cref="IOException">A persisted record of the same peer could not be removed from the file.</exception>
    public void Record(PeerAdmission admission) => Record(admission, default);

    /// <summary>
    /// Records (or replaces) an admission obtained with the one-time token <paramref name="oneTimeNonce"/>. For a
    /// persistent store the record is on disk before this returns.
    /// </summary>
    /// <param name="admission">The record.</param>
    /// <param name="oneTimeNonce">The token's 32-byte nonce, or empty for an admission without one.</param>
    /// <exception cref="ArgumentException">The nonce is neither empty nor 32 bytes.</exception>
    /// <exception cref="InvalidOperationException">The store is full of live records.</exception>
    /// <exception cref="IOException">The store file could not be written; the admission must be refused.</exception>
    public void Record(PeerAdmission admission, ReadOnlySpan<byte> oneTimeNonce)
    {
        ArgumentNullException.ThrowIfNull(admission);
        if (!oneTimeNonce.IsEmpty && oneTimeNonce.Length != ConsumerEnrollmentCredential.NonceSize)
        {
            throw new ArgumentException("nonce must be 32 bytes", nameof(oneTimeNonce));
        }

        var entry = new Entry(Freeze(admission), oneTimeNonce.IsEmpty ? null : Convert.ToHexStringLower(oneTimeNonce));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            bool replacing = _records.TryGetValue(admission.EndpointId, out Entry? previous);
            if (!replacing && _records.Count >= _maxRecords)
            {
                SweepLocked();
                if (_records.Count >= _maxRecords)
                {
                    throw new InvalidOperationException("peer store is full");
                }
            }

            if (_path is not null && (entry.Nonce is not null || previous?.Nonce is not null))
            {
                Persist(admission.EndpointId, entry.Nonce is null ? null : entry);
            }

            _records[admission.EndpointId] = entry;
        }
    }

    /// <summary>
    /// Removes the record of <paramref name="peer"/>, from the file too when it was persisted (a peer removed by the
    /// operator or excluded from the mesh). Its open connections are closed by the host's next expiry sweep.
    /// </summary>
    /// <param name="peer">The peer.</param>
    /// <exception cref="IOException">A persisted record could not be removed from the file.</exception>
    public void Remove(EndpointId peer)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_records.Remove(peer, out Entry? removed))
            {
                return;
            }

            if (_path is not null && removed.Nonce is not null)
            {
                Persist(peer, null);
            }
        }
    }

    /// <summary>The live record of <paramref name="peer"/>, or null; a dead record found here is removed.</summary>
    /// <param name="peer">The peer.</param>
    /// <returns>The record or null.</returns>
    public PeerAdmission? Find(EndpointId peer)
    {
        lock (_lock)
        {
            if (!_records.TryGetValue(peer, out Entry? entry))
            {
                return null;
            }

            if (IsLive(entry.Admission, Now))
            {
                return entry.Admission;
            }

            _records.Remove(peer);
            return null;
        }
    }

    /// <summary>Whether <paramref name="admission"/> is live now (credential expiry and peer TTL).</summary>
    /// <param name="admission">A record.</param>
    /// <returns>True while live.</returns>
    public bool IsLive(PeerAdmission admission)
    {
        ArgumentNullException.ThrowIfNull(admission);
        return IsLive(admission, Now);
    }

    /// <summary>Removes every dead record from memory; runs by itself every 300 s.</summary>
    /// <returns>How many records were removed.</returns>
    public int Sweep()
    {
        lock (_lock)
        {
            return _disposed ? 0 : SweepLocked();
        }
    }

    /// <summary>Stops the sweep timer.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _sweeper.Dispose();
    }

    /// <summary>
    /// Whether <paramref name="peer"/>'s live record was obtained with the one-time token <paramref name="nonce"/>:
    /// the condition for an idempotent re-presentation of that token (trust.md section 5).
    /// </summary>
    internal bool HoldsLiveOneTimeAdmission(EndpointId peer, ReadOnlySpan<byte> nonce)
    {
        string hex = Convert.ToHexStringLower(nonce);
        lock (_lock)
        {
            return _records.TryGetValue(peer, out Entry? entry)
                && entry.Nonce is not null
                && string.Equals(entry.Nonce, hex, StringComparison.Ordinal)
                && IsLive(entry.Admission, Now);
        }
    }

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    private bool IsLive(PeerAdmission admission, long now)
        => (admission.ExpiresAt == 0 || now < admission.ExpiresAt)
            && now < SaturatingAdd(admission.AdmittedAt, _ttlSeconds);

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static PeerAdmission Freeze(PeerAdmission admission)
        => admission with
        {
            Handle = admission.Handle ?? string.Empty,
            Attributes = admission.Attributes is null || admission.Attributes.Count == 0 ? _noAttributes : CredentialAttributes.Copy(admission.Attributes),
        };

    private int SweepLocked()
    {
        long now = Now;
        List<EndpointId>? dead = null;
        foreach ((EndpointId id, Entry entry) in _records)
        {
            if (!IsLive(entry.Admission, now))
            {
                (dead ??= []).Add(id);
            }
        }

        foreach (EndpointId id in dead ?? [])
        {
            _records.Remove(id);
        }

        return dead?.Count ?? 0;
    }

    /// <summary>Under the file lock: reload, set or remove one peer's entry, drop dead entries, write back.</summary>
    private void Persist(EndpointId peer, Entry? entry)
    {
        using FileStream guard = DurableFile.AcquireLock(_lockPath!);
        Dictionary<EndpointId, Entry> onDisk = Load();
        if (entry is null)
        {
            onDisk.Remove(peer);
        }
        else
        {
            onDisk[peer] = entry;
        }

        long now = Now;
        foreach (EndpointId id in onDisk.Where(kv => !IsLive(kv.Value.Admission, now)).Select(kv => kv.Key).ToList())
        {
            onDisk.Remove(id);
        }

        Save(onDisk);
    }

    private Dictionary<EndpointId, Entry> Load()
    {
        Dictionary<EndpointId, Entry> entries = [];
        if (DurableFile.ReadIfExists(_path!, MaxFileSize, What) is not { } data)
        {
            return entries;
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(data, new JsonDocumentOptions { MaxDepth = 8 });
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("version", out JsonElement version) || version.ValueKind != JsonValueKind.Number || version.GetRawText() != "1"
                || !root.TryGetProperty("admissions", out JsonElement admissions) || admissions.ValueKind != JsonValueKind.Object)
            {
                throw new TrustFormatException("not a version 1 admission store");
            }

            foreach (JsonProperty p in admissions.EnumerateObject())
            {
                if (!TrustJson.IsLowerHex64(p.Name))
                {
                    throw new TrustFormatException("bad endpoint id");
                }

                EndpointId id = EndpointId.FromBytes(Convert.FromHexString(p.Name));
                entries[id] = ReadEntry(id, p.Value);
            }
        }
        catch (Exception ex) when (ex is JsonException or TrustFormatException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            throw new TrustFormatException($"{What} '{_path}' is corrupt", ex);
        }

        return entries;
    }

    private static Entry ReadEntry(EndpointId id, JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new TrustFormatException("entry is not an object");
        }

        string handle = TrustJson.GetString(e.GetProperty("handle"), "handle", What);
        Dictionary<string, string> attributes = TrustJson.GetStringMap(e.GetProperty("attributes"), "attributes", What);
        ulong admittedAt = TrustJson.GetUInt64(e.GetProperty("admitted_at"), "admitted_at", What);
        ulong expiresAt = TrustJson.GetUInt64(e.GetProperty("expires_at"), "expires_at", What);
        AdmissionPath path = AdmissionPaths.Parse(TrustJson.GetString(e.GetProperty("admission_path"), "admission_path", What));
        string nonce = TrustJson.GetString(e.GetProperty("nonce"), "nonce", What);
        if (!TrustJson.IsLowerHex64(nonce) || admittedAt > long.MaxValue || expiresAt > long.MaxValue)
        {
            throw new TrustFormatException("bad entry");
        }

        var admission = new PeerAdmission(id, handle, attributes.Count == 0 ? _noAttributes : CredentialAttributes.Copy(attributes), (long)admittedAt, (long)expiresAt, path);
        return new Entry(admission, nonce);
    }

    private void Save(Dictionary<EndpointId, Entry> entries)
    {
        byte[] json = PythonJson.Compact(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("version");
            w.WriteNumber(1L);
            w.WritePropertyName("admissions");
            w.WriteStartObject();
            foreach ((EndpointId id, Entry entry) in entries.OrderBy(kv => kv.Key))
            {
                if (entry.Nonce is null)
                {
                    continue;
                }

                PeerAdmission a = entry.Admission;
                w.WritePropertyName(id.ToString());
                w.WriteStartObject();
                w.WritePropertyName("handle");
                w.WriteString(a.Handle);
                w.WritePropertyName("attributes");
                PythonJson.WriteMap(w, a.Attributes);
                w.WritePropertyName("admitted_at");
                w.WriteNumber(a.AdmittedAt);
                w.WritePropertyName("expires_at");
                w.WriteNumber(a.ExpiresAt);
                w.WritePropertyName("admission_path");
                w.WriteString(AdmissionPaths.Name(a.Path));
                w.WritePropertyName("nonce");
                w.WriteString(entry.Nonce);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
        DurableFile.WriteAtomic(_path!, json);
    }

    /// <summary>A record and, when it came from a one-time token, that token's nonce as hex.</summary>
    private sealed record Entry(PeerAdmission Admission, string? Nonce);
}

/// <summary>The reference's text names of <see cref="AdmissionPath"/> (<c>admission_path</c>, trust.md section 6).</summary>
public static class AdmissionPaths
{
    /// <summary>The wire/file name of a path: <c>consumer_admission</c>, <c>producer_admission</c>, <c>open_gate</c>, …</summary>
    /// <param name="path">The path.</param>
    /// <returns>The name.</returns>
    public static string Name(AdmissionPath path) => path switch
    {
        AdmissionPath.ConsumerAdmission => "consumer_admission",
        AdmissionPath.ProducerAdmission => "producer_admission",
        AdmissionPath.OpenGate => "open_gate",
        AdmissionPath.InProcess => "in_process",
        _ => "none",
    };

    /// <summary>Parses a name written by <see cref="Name"/>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The path.</returns>
    /// <exception cref="TrustFormatException">Unknown name.</exception>
    public static AdmissionPath Parse(string name) => name switch
    {
        "consumer_admission" => AdmissionPath.ConsumerAdmission,
        "producer_admission" => AdmissionPath.ProducerAdmission,
        "open_gate" => AdmissionPath.OpenGate,
        _ => throw new TrustFormatException($"unknown admission path '{name}'"),
    };
}
