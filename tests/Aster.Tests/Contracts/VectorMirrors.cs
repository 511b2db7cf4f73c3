using Aster.Fory;

#pragma warning disable CA1002, CA2227, CA1716, CA1822

// C# mirrors of the services and types of contract-identity-current.json, one namespace per vector case.
namespace Aster.Tests.Contracts.Mirrors.Echo
{
    [WireType("echo/EchoRequest")]
    public sealed record EchoRequest(string Message);

    [WireType("echo/EchoResponse")]
    public sealed record EchoResponse(string Reply);

    [AsterService]
    public interface IEchoService
    {
        ValueTask<EchoResponse> EchoAsync(EchoRequest request, CancellationToken cancellationToken = default);
    }

    [AsterService(Name = "EchoService", SerializationModes = ["json", "xlang"])]
    public interface IEchoServiceJsonFirst
    {
        ValueTask<EchoResponse> EchoAsync(EchoRequest request, CancellationToken cancellationToken = default);
    }

    [AsterService(Name = "EchoService")]
    [RequiresAnyOf("reader", "ai-reader")]
    public interface IEchoServiceWithRequirements
    {
        [Requires("admin")]
        ValueTask<EchoResponse> EchoAsync(EchoRequest request, CancellationToken cancellationToken = default);
    }

    [AsterService(Name = "EchoService")]
    public interface IEchoServiceRenamed
    {
        [Rpc(Name = "echo")]
        ValueTask<EchoResponse> SomethingElseAsync(EchoRequest request, CancellationToken cancellationToken = default);
    }

    /// <summary>A class declared as the service itself (no interface).</summary>
    [AsterService(Name = "EchoService")]
    public sealed class EchoServiceClass
    {
        public ValueTask<EchoResponse> EchoAsync(EchoRequest request, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new EchoResponse(request.Message));

        public override string ToString() => "echo";
    }

    /// <summary>A server class implementing the service interface.</summary>
    public sealed class EchoServer : IEchoService, IDisposable
    {
        public ValueTask<EchoResponse> EchoAsync(EchoRequest request, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new EchoResponse(request.Message));

        public void Dispose()
        {
        }
    }
}

namespace Aster.Tests.Contracts.Mirrors.Chain
{
    [WireType("chain/Alpha")]
    public sealed record Alpha(string Name, List<Beta> Betas);

    [WireType("chain/Beta")]
    public sealed record Beta(string Name, List<Gamma> Gammas);

    [WireType("chain/Gamma")]
    public sealed record Gamma(string Name, List<Alpha> Alphas);

    [AsterService]
    public interface IChainService
    {
        ValueTask<Gamma> WalkAsync(Alpha request);
    }
}

namespace Aster.Tests.Contracts.Mirrors.Tree
{
    [WireType("tree/TreeNode")]
    public sealed record TreeNode(string Value, TreeNode? Left, TreeNode? Right, List<TreeNode> Children);

    [WireType("tree/TreeQuery")]
    public sealed record TreeQuery(TreeNode? Root, long Depth);

    [AsterService]
    public interface ITreeService
    {
        ValueTask<TreeNode> FindAsync(TreeQuery query, CancellationToken cancellationToken = default);
    }
}

namespace Aster.Tests.Contracts.Mirrors.Lib
{
    [WireType("lib/Book")]
    public sealed record Book(string Title, Author? WrittenBy);

    [WireType("lib/Author")]
    public sealed record Author(string Name, List<Book> Books);

    [AsterService]
    public interface ILibrary
    {
        Task<Author> GetBookAsync(Book book, CancellationToken cancellationToken);
    }
}

namespace Aster.Tests.Contracts.Mirrors.Graph
{
    [WireType("graph/Leaf")]
    public sealed record Leaf(string Label);

    [WireType("graph/NodeA")]
    public sealed record NodeA(NodeB? B, List<NodeC> C, Leaf? Leaf);

    [WireType("graph/NodeB")]
    public sealed record NodeB(NodeD? D);

    [WireType("graph/NodeC")]
    public sealed record NodeC(NodeD? D, Leaf? Leaf);

    [WireType("graph/NodeD")]
    public sealed record NodeD(NodeA? A, double Weight);

    [AsterService]
    public interface IGraphService
    {
        ValueTask<Leaf> ResolveAsync(NodeA node);
    }
}

namespace Aster.Tests.Contracts.Mirrors.Gen
{
    [WireType("gen/Item")]
    public sealed record Item(string Sku, long Qty);

    [WireType("gen/Basket")]
    public sealed class Basket
    {
        public List<Item> Items { get; set; } = [];

        public Dictionary<string, Item> BySku { get; set; } = [];

        public Dictionary<string, long> Counts { get; set; } = [];

        public Dictionary<long, string> IdsByNumber { get; set; } = [];

        public HashSet<string> Tags { get; set; } = [];

        public IReadOnlySet<long> FrozenIds { get; set; } = new HashSet<long>();

        public List<Item>? MaybeItems { get; set; }

        public List<List<long>> Grid { get; set; } = [];

        public Dictionary<string, List<Item>> Groups { get; set; } = [];

        public List<Item?> OptionalElements { get; set; } = [];

        public object Pair { get; set; } = new();

        public IList<string> LegacyList { get; set; } = [];

        public IReadOnlyDictionary<string, double> LegacyMap { get; set; } = new Dictionary<string, double>();
    }

    [AsterService]
    public interface IBasketService
    {
        ValueTask<Item> PriceAsync(Basket basket);
    }
}

namespace Aster.Tests.Contracts.Mirrors.Paint
{
    public enum Color
    {
        Red,
        Green,
    }

    public enum Priority
    {
        Low = 0,
        High = 1,
    }

    [WireType("paint/Paint")]
    public sealed record Paint(Color Color, Priority Priority, Color? MaybeColor, List<Color> Palette, string Name);

    [AsterService]
    public interface IPaintShop
    {
        ValueTask<Paint> MixAsync(Paint paint);
    }
}

namespace Aster.Tests.Contracts.Mirrors.Prim
{
    [WireType("prim/AllPrimitives")]
    public sealed record AllPrimitives(
        string FStr,
        long FInt,
        double FFloat,
        bool FBool,
        byte[] FBytes,
        ReadOnlyMemory<byte> FBytearray,
        sbyte FInt8,
        short FInt16,
        int FInt32,
        long FInt64,
        [property: FixedWidth] int FFixedInt32,
        [property: FixedWidth] long FFixedInt64,
        byte FUint8,
        ushort FUint16,
        uint FUint32,
        ulong FUint64,
        [property: FixedWidth] uint FFixedUint32,
        [property: FixedWidth] ulong FFixedUint64,
        float FFloat32,
        double FFloat64);

    [WireType("prim/Unmapped")]
    public sealed record Unmapped(object FTaggedInt64, object FTaggedUint64, DateTime FDatetime, DateOnly FDate, object FAny, object FUnion, long? FOptInt);
}

namespace Aster.Tests.Contracts.Mirrors.Feed
{
    [WireType("feed/Subscribe")]
    public sealed record Subscribe(List<string> Symbols);

    [WireType("feed/Tick")]
    public sealed record Tick(string Symbol, double Price, long Seq);

    [WireType("feed/Summary")]
    public sealed record Summary(int Count, Tick? Last);

    [AsterService(Name = "MarketFeed", Version = 3)]
    public interface IMarketFeed
    {
        [Rpc(TimeoutSeconds = 0.25)]
        IAsyncEnumerable<Tick> ExchangeAsync(IAsyncEnumerable<Tick> ticks, CancellationToken cancellationToken = default);

        ValueTask<Summary> PublishAsync(IAsyncEnumerable<Tick> ticks, CancellationToken cancellationToken = default);

        [Rpc(Idempotent = true, TimeoutSeconds = 2.5)]
        ValueTask<Summary> SnapshotAsync(Subscribe request, CancellationToken cancellationToken = default);

        [Rpc(TimeoutSeconds = 600)]
        IAsyncEnumerable<Tick> WatchAsync(Subscribe request, CancellationToken cancellationToken = default);
    }

    [AsterService]
    public interface ICounter
    {
        IAsyncEnumerable<byte[]> Chunks(Subscribe request);

        IAsyncEnumerable<bool> Lines(IAsyncEnumerable<string> lines);

        Task<double> Total(IAsyncEnumerable<long> values);
    }
}

namespace Aster.Tests.Contracts.Mirrors.Chat
{
    [WireType("chat/Join")]
    public sealed record Join(string Room, string Nick);

    [WireType("chat/Message")]
    public sealed record Message(string Nick, string Text, long AtMs);

    [AsterService(Name = "ChatRoom", Scope = ServiceScope.Session)]
    public interface IChatRoom
    {
        [Rpc(TimeoutSeconds = 5)]
        ValueTask<Message> JoinAsync(Join request, CancellationToken cancellationToken = default);

        IAsyncEnumerable<Message> TalkAsync(IAsyncEnumerable<Message> messages, CancellationToken cancellationToken = default);
    }

    [AsterService(Name = "ChatRoom")]
    public interface ISharedChatRoom
    {
        [Rpc(TimeoutSeconds = 5)]
        ValueTask<Message> JoinAsync(Join request, CancellationToken cancellationToken = default);

        IAsyncEnumerable<Message> TalkAsync(IAsyncEnumerable<Message> messages, CancellationToken cancellationToken = default);
    }
}

namespace Aster.Tests.Contracts.Mirrors.Names
{
    [WireType("names/Unicode")]
    public sealed class Unicode
    {
        [WireName("z_last")]
        public string ZLast { get; set; } = string.Empty;

        [WireName("\uff21wide")]
        public string Wide { get; set; } = string.Empty;

        [WireName("\U00020000cjk")]
        public string Cjk { get; set; } = string.Empty;

        [WireName("cafe\u0301")]
        public long CafeDecomposed { get; set; }

        [WireName("caf\u00e9s")]
        public long Cafes { get; set; }

        [WireName("Upper")]
        public bool Upper { get; set; }

        [WireName("_under")]
        public bool Under { get; set; }
    }

    [AsterService(Name = "Names")]
    public interface INames
    {
        ValueTask<Echo.EchoResponse> CheckAsync(Unicode request);
    }
}

namespace Aster.Tests.Contracts.Mirrors.Tags
{
    [WireType("ns.with.dots/deep/Leafy")]
    public sealed record Leafy(string AFieldNameThatIsLongerThanThirtyTwoBytes);

    [AsterService(Name = "TagService", Version = 300)]
    public interface ITagService
    {
        [Rpc(Idempotent = true)]
        ValueTask<Leafy> GetAsync(Leafy request);
    }
}

namespace Aster.Tests.Contracts.Mirrors.Inventory
{
    [WireType("inventory/StockLevel")]
    public sealed record StockLevel(string Sku, long OnHand);

    [AsterService(InlineNamespace = "shop")]
    public interface IInventory
    {
        ValueTask<StockLevel> ByNameAsync(string name, CancellationToken cancellationToken = default);

        ValueTask<StockLevel> LookupAsync(string sku, long warehouse, bool includeReserved, CancellationToken cancellationToken = default);
    }
}
