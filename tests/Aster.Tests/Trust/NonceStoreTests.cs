using System.Text;
using Aster.Net.Identity;
using Aster.Testing;
using Aster.Trust;

namespace Aster.Tests.Trust;

public sealed class NonceStoreTests : IDisposable
{
    private static readonly EndpointId _a = EndpointId.FromBytes(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly EndpointId _b = EndpointId.FromBytes(Enumerable.Repeat((byte)2, 32).ToArray());
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "aster-nonces-" + Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider _clock = new();

    private string StorePath => Path.Combine(_dir, "trust", "nonces.json");

    private ulong Now => (ulong)_clock.GetUtcNow().ToUnixTimeSeconds();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    private static byte[] Nonce(byte b) => Enumerable.Repeat(b, 32).ToArray();

    [Fact]
    public void TryConsume_FirstThenSameThenOther_ReturnsEachOutcome()
    {
        InMemoryNonceStore store = new(_clock);
        Assert.Equal(NonceConsumeResult.Consumed, store.TryConsume(Nonce(1), Now + 100, _a));
        Assert.Equal(NonceConsumeResult.AlreadyConsumedBySameEndpoint, store.TryConsume(Nonce(1), Now + 100, _a));
        Assert.Equal(NonceConsumeResult.AlreadyConsumed, store.TryConsume(Nonce(1), Now + 100, _b));
        Assert.True(store.IsConsumed(Nonce(1)));
        Assert.False(store.IsConsumed(Nonce(2)));
    }

    [Fact]
    public void TryConsume_WrongNonceLength_Throws()
    {
        InMemoryNonceStore store = new(_clock);
        Assert.Throws<ArgumentException>(() => store.TryConsume(new byte[31], 0, _a));
    }

    [Fact]
    public void FileStore_ConsumeDisposeReopen_ReplayRefused()
    {
        using (FileNonceStore store = new(StorePath, _clock))
        {
            Assert.Equal(NonceConsumeResult.Consumed, store.TryConsume(Nonce(7), Now + 3600, _a));
        }

        using FileNonceStore reopened = new(StorePath, _clock);
        Assert.True(reopened.IsConsumed(Nonce(7)));
        Assert.Equal(NonceConsumeResult.AlreadyConsumed, reopened.TryConsume(Nonce(7), Now + 3600, _b));
        Assert.Equal(NonceConsumeResult.AlreadyConsumedBySameEndpoint, reopened.TryConsume(Nonce(7), Now + 3600, _a));
        string text = File.ReadAllText(StorePath);
        Assert.StartsWith("{\"version\":2,\"consumed\":{\"0707", text, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(StorePath)!, "*.tmp"));
    }

    [Fact]
    public void FileStore_TwoInstancesOnOneFile_SeeEachOthersConsumes()
    {
        using FileNonceStore first = new(StorePath, _clock);
        using FileNonceStore second = new(StorePath, _clock);
        Assert.Equal(NonceConsumeResult.Consumed, first.TryConsume(Nonce(3), Now + 60, _a));
        Assert.Equal(NonceConsumeResult.AlreadyConsumed, second.TryConsume(Nonce(3), Now + 60, _b));
    }

    [Fact]
    public void CollectExpired_OnlyAfterMargin_RemovesEntries()
    {
        using FileNonceStore store = new(StorePath, _clock);
        store.TryConsume(Nonce(1), Now + 10, _a);
        store.TryConsume(Nonce(2), Now + 100_000, _a);
        _clock.Advance(TimeSpan.FromSeconds(10 + 299));
        Assert.Equal(0, store.CollectExpired());
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, store.CollectExpired());
        Assert.False(store.IsConsumed(Nonce(1)));
        Assert.True(store.IsConsumed(Nonce(2)));

        using FileNonceStore reopened = new(StorePath, _clock);
        Assert.Equal(1, reopened.Count);
    }

    [Fact]
    public void FileStore_OpenCollectsExpiredEntries()
    {
        using (FileNonceStore store = new(StorePath, _clock))
        {
            store.TryConsume(Nonce(1), Now, _a);
        }

        _clock.Advance(TimeSpan.FromSeconds(301));
        using FileNonceStore reopened = new(StorePath, _clock);
        Assert.Equal(0, reopened.Count);
    }

    [Fact]
    public void TryConsume_StoreFull_FailsClosedUntilEntriesExpire()
    {
        InMemoryNonceStore store = new(_clock, maxEntries: 2);
        store.TryConsume(Nonce(1), Now, _a);
        store.TryConsume(Nonce(2), Now + 10_000, _a);
        Assert.Throws<IOException>(() => store.TryConsume(Nonce(3), Now + 10_000, _a));
        _clock.Advance(TimeSpan.FromSeconds(300));
        Assert.Equal(NonceConsumeResult.Consumed, store.TryConsume(Nonce(3), Now + 10_000, _a));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"version\":3,\"consumed\":{}}")]
    [InlineData("{\"consumed\":[\"zz\"]}")]
    [InlineData("{\"version\":2,\"consumed\":{\"0101010101010101010101010101010101010101010101010101010101010101\":{\"expires_at\":\"x\",\"endpoint_id\":\"\"}}}")]
    [InlineData("[]")]
    public void FileStore_CorruptFile_ThrowsNamingFile(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StorePath)!);
        File.WriteAllText(StorePath, content);
        TrustFormatException ex = Assert.Throws<TrustFormatException>(() => new FileNonceStore(StorePath, _clock));
        Assert.Contains(StorePath, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileStore_ReferenceListFormat_LoadedAndKeptForever()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StorePath)!);
        File.WriteAllText(StorePath, "{\"consumed\": [\"" + Hex.Encode(Nonce(5)) + "\"]}", Encoding.UTF8);
        using (FileNonceStore store = new(StorePath, _clock))
        {
            Assert.Equal(NonceConsumeResult.AlreadyConsumed, store.TryConsume(Nonce(5), Now + 1, _a));
            store.TryConsume(Nonce(6), Now + 1, _a);
        }

        _clock.Advance(TimeSpan.FromDays(3650));
        using FileNonceStore reopened = new(StorePath, _clock);
        Assert.True(reopened.IsConsumed(Nonce(5)));
        Assert.False(reopened.IsConsumed(Nonce(6)));
    }

    [Fact]
    public async Task TryConsume_ConcurrentSameNonce_ExactlyOneConsumed()
    {
        using FileNonceStore store = new(StorePath, _clock);
        EndpointId[] peers = Enumerable.Range(0, 16).Select(i => EndpointId.FromBytes(Enumerable.Repeat((byte)(i + 10), 32).ToArray())).ToArray();
        NonceConsumeResult[] results = await Task.WhenAll(peers.Select(p => Task.Run(() => store.TryConsume(Nonce(9), Now + 60, p))));
        Assert.Equal(1, results.Count(r => r == NonceConsumeResult.Consumed));
        Assert.Equal(15, results.Count(r => r == NonceConsumeResult.AlreadyConsumed));
    }
}
