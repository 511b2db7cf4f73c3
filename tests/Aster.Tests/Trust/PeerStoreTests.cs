using Aster.Net.Identity;
using Aster.Testing;
using Aster.Trust;

namespace Aster.Tests.Trust;

/// <summary>Admission records (trust.md section 6): liveness, replacement, sweeping and the durable OTT records.</summary>
public sealed class PeerStoreTests : IDisposable
{
    private static readonly EndpointId _a = EndpointId.FromBytes(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly EndpointId _b = EndpointId.FromBytes(Enumerable.Repeat((byte)2, 32).ToArray());
    private static readonly byte[] _nonce = Enumerable.Repeat((byte)0xab, 32).ToArray();
    private readonly ManualTimeProvider _clock = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "aster-peers-" + Guid.NewGuid().ToString("N"));

    private string FilePath => Path.Combine(_dir, "trust", "admissions.json");

    private long Now => _clock.GetUtcNow().ToUnixTimeSeconds();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    private PeerAdmission Admission(EndpointId id, long expiresAt = 0, string role = "ops", AdmissionPath path = AdmissionPath.ConsumerAdmission)
        => new(id, "shell", new Dictionary<string, string> { ["aster.role"] = role }, Now, expiresAt, path);

    [Fact]
    public void Find_LiveUntilTtl_ThenRemovedOnLookup()
    {
        using PeerStore store = new(_clock, TimeSpan.FromSeconds(100));
        store.Record(Admission(_a));
        _clock.Advance(TimeSpan.FromSeconds(99));
        Assert.NotNull(store.Find(_a));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(store.Find(_a));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Find_CredentialExpiryBeforeTtl_Wins()
    {
        using PeerStore store = new(_clock);
        store.Record(Admission(_a, expiresAt: Now + 10));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(store.Find(_a));
    }

    [Fact]
    public void Record_SameEndpointAgain_ReplacesOldRecord()
    {
        using PeerStore store = new(_clock);
        store.Record(Admission(_a, role: "old"));
        store.Record(Admission(_a, role: "new"));
        Assert.Equal("new", store.Find(_a)!.Attributes["aster.role"]);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Record_AttributesAreSnapshotted_CallerChangesDoNotLeakIn()
    {
        using PeerStore store = new(_clock);
        Dictionary<string, string> attributes = new() { ["aster.role"] = "ops" };
        store.Record(new PeerAdmission(_a, "h", attributes, Now, 0, AdmissionPath.ConsumerAdmission));
        attributes["aster.role"] = "admin";
        Assert.Equal("ops", store.Find(_a)!.Attributes["aster.role"]);
    }

    [Fact]
    public void Sweep_RunsEvery300Seconds_RemovesDeadRecordsOnly()
    {
        using PeerStore store = new(_clock, TimeSpan.FromSeconds(250));
        store.Record(Admission(_a));
        _clock.Advance(TimeSpan.FromSeconds(100));
        store.Record(Admission(_b));
        _clock.Advance(TimeSpan.FromSeconds(200)); // t = 300: the sweep runs; a died at 250, b lives until 350
        Assert.Equal(1, store.Count);
        Assert.NotNull(store.Find(_b));
    }

    [Fact]
    public void Remove_PersistedOneTimeRecord_GoneFromMemoryAndFile()
    {
        using (PeerStore store = PeerStore.Open(FilePath, _clock))
        {
            store.Record(Admission(_a), _nonce);
            store.Record(Admission(_b));
            store.Remove(_a);
            store.Remove(_a); // removing an absent record is a no-op
            Assert.Null(store.Find(_a));
            Assert.NotNull(store.Find(_b));
        }

        using PeerStore reopened = PeerStore.Open(FilePath, _clock);
        Assert.Null(reopened.Find(_a));
        Assert.DoesNotContain(_a.ToString(), File.ReadAllText(FilePath), StringComparison.Ordinal);
    }

    [Fact]
    public void Record_Full_RefusesNewPeerButSweepsFirst()
    {
        using PeerStore store = new(_clock, TimeSpan.FromSeconds(10), maxRecords: 1);
        store.Record(Admission(_a));
        Assert.Throws<InvalidOperationException>(() => store.Record(Admission(_b)));
        store.Record(Admission(_a, role: "again")); // replacing is always possible
        _clock.Advance(TimeSpan.FromSeconds(10));
        store.Record(Admission(_b)); // the dead record made room
        Assert.NotNull(store.Find(_b));
    }

    [Fact]
    public void Open_OttRecordSurvivesRestart_OtherRecordsDoNot()
    {
        using (PeerStore store = PeerStore.Open(FilePath, _clock))
        {
            store.Record(Admission(_a, expiresAt: Now + 3600), _nonce);
            store.Record(Admission(_b, path: AdmissionPath.OpenGate));
        }

        using PeerStore reopened = PeerStore.Open(FilePath, _clock);
        PeerAdmission a = Assert.IsType<PeerAdmission>(reopened.Find(_a));
        Assert.Equal("shell", a.Handle);
        Assert.Equal("ops", a.Attributes["aster.role"]);
        Assert.Equal(Now + 3600, a.ExpiresAt);
        Assert.True(reopened.HoldsLiveOneTimeAdmission(_a, _nonce));
        Assert.Null(reopened.Find(_b));
        string text = File.ReadAllText(FilePath);
        Assert.StartsWith("{\"version\":1,\"admissions\":{\"0101", text, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(FilePath)!, "*.tmp"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(FilePath));
        }
    }

    [Fact]
    public void Open_ExpiredRecordsCollectedAtLoad()
    {
        using (PeerStore store = PeerStore.Open(FilePath, _clock))
        {
            store.Record(Admission(_a, expiresAt: Now + 10), _nonce);
        }

        _clock.Advance(TimeSpan.FromSeconds(10));
        using PeerStore reopened = PeerStore.Open(FilePath, _clock);
        Assert.Null(reopened.Find(_a));
        Assert.Equal("{\"version\":1,\"admissions\":{}}", File.ReadAllText(FilePath));
    }

    [Fact]
    public void Record_ReplacingPersistedOttRecord_RemovesItFromFile()
    {
        using (PeerStore store = PeerStore.Open(FilePath, _clock))
        {
            store.Record(Admission(_a), _nonce);
            store.Record(Admission(_a, role: "policy"));
        }

        using PeerStore reopened = PeerStore.Open(FilePath, _clock);
        Assert.Null(reopened.Find(_a));
    }

    [Fact]
    public void Open_TwoStoresOnOneFile_KeepEachOthersRecords()
    {
        using PeerStore first = PeerStore.Open(FilePath, _clock);
        using PeerStore second = PeerStore.Open(FilePath, _clock);
        first.Record(Admission(_a), _nonce);
        second.Record(Admission(_b), Enumerable.Repeat((byte)0xcd, 32).ToArray());
        using PeerStore third = PeerStore.Open(FilePath, _clock);
        Assert.NotNull(third.Find(_a));
        Assert.NotNull(third.Find(_b));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"version\":2,\"admissions\":{}}")]
    [InlineData("{\"version\":1,\"admissions\":{\"zz\":{}}}")]
    [InlineData("{\"version\":1,\"admissions\":{\"0101010101010101010101010101010101010101010101010101010101010101\":{\"handle\":\"\"}}}")]
    [InlineData("[]")]
    public void Open_CorruptFile_ThrowsNamingIt(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        File.WriteAllText(FilePath, content);
        TrustFormatException ex = Assert.Throws<TrustFormatException>(() => PeerStore.Open(FilePath, _clock));
        Assert.Contains("admissions.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_WrongNonceLength_Throws()
    {
        using PeerStore store = new(_clock);
        Assert.Throws<ArgumentException>(() => store.Record(Admission(_a), new byte[31]));
    }
}
