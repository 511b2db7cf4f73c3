using Aster.Contracts;
using Aster.Fory;

#pragma warning disable CA1034

namespace Aster.Tests.Contracts;

/// <summary>Declarations that differ only in what the wire cannot see share an id; observable differences never do.</summary>
public sealed class ReflectionIdentityTests
{
    [WireType("chat/Join")]
    public sealed class JoinReordered
    {
        public string Nick { get; set; } = string.Empty;

        public string Room { get; set; } = string.Empty;
    }

    [WireType("chat/Message")]
    public sealed record MessageRenamed(
        [property: WireName("at_ms")] long Timestamp,
        [property: WireName("text")] string Body,
        string Nick);

    /// <summary>Methods in another order, other parameter names, no cancellation tokens, Task instead of ValueTask.</summary>
    [AsterService(Name = "ChatRoom", Scope = ServiceScope.Session)]
    public interface IChatRoomReordered
    {
        IAsyncEnumerable<MessageRenamed> TalkAsync(IAsyncEnumerable<MessageRenamed> stream);

        [Rpc(TimeoutSeconds = 5.0)]
        Task<MessageRenamed> JoinAsync(JoinReordered joinRequest);
    }

    [AsterService(Name = "ChatRoom", Scope = ServiceScope.Session, Version = 2)]
    public interface IChatRoomVersion2
    {
        [Rpc(TimeoutSeconds = 5)]
        ValueTask<Mirrors.Chat.Message> JoinAsync(Mirrors.Chat.Join request);

        IAsyncEnumerable<Mirrors.Chat.Message> TalkAsync(IAsyncEnumerable<Mirrors.Chat.Message> messages);
    }

    [AsterService(Name = "ChatRoom", Scope = ServiceScope.Session)]
    public interface IChatRoomOtherPattern
    {
        [Rpc(TimeoutSeconds = 5)]
        IAsyncEnumerable<Mirrors.Chat.Message> JoinAsync(Mirrors.Chat.Join request);

        IAsyncEnumerable<Mirrors.Chat.Message> TalkAsync(IAsyncEnumerable<Mirrors.Chat.Message> messages);
    }

    [AsterService(Name = "ChatRoom", Scope = ServiceScope.Session, MethodNaming = MethodNaming.CamelCase)]
    public interface IChatRoomCamelCase
    {
        [Rpc(TimeoutSeconds = 5)]
        ValueTask<Mirrors.Chat.Message> JoinRoomAsync(Mirrors.Chat.Join request);

        IAsyncEnumerable<Mirrors.Chat.Message> TalkAsync(IAsyncEnumerable<Mirrors.Chat.Message> messages);
    }

    [AsterService(Name = "ChatRoom", Scope = ServiceScope.Session)]
    public interface IChatRoomSnakeCase
    {
        [Rpc(TimeoutSeconds = 5)]
        ValueTask<Mirrors.Chat.Message> JoinRoomAsync(Mirrors.Chat.Join request);

        IAsyncEnumerable<Mirrors.Chat.Message> TalkAsync(IAsyncEnumerable<Mirrors.Chat.Message> messages);
    }

    [WireType("chat/Join")]
    public sealed record JoinWithIntNick(string Room, int Nick);

    [AsterService(Name = "ChatRoom", Scope = ServiceScope.Session)]
    public interface IChatRoomOtherFieldType
    {
        [Rpc(TimeoutSeconds = 5)]
        ValueTask<Mirrors.Chat.Message> JoinAsync(JoinWithIntNick request);

        IAsyncEnumerable<Mirrors.Chat.Message> TalkAsync(IAsyncEnumerable<Mirrors.Chat.Message> messages);
    }

    [Fact]
    public void Describe_ReorderedAndRenamedUnobservably_SameId()
    {
        string expected = ServiceContracts.Describe<Mirrors.Chat.IChatRoom>().ContractId;

        Assert.Equal(expected, ServiceContracts.Describe<IChatRoomReordered>().ContractId);
    }

    [Theory]
    [InlineData(typeof(IChatRoomVersion2))]
    [InlineData(typeof(IChatRoomOtherPattern))]
    [InlineData(typeof(IChatRoomOtherFieldType))]
    [InlineData(typeof(Mirrors.Chat.ISharedChatRoom))]
    public void Describe_ObservableChange_DifferentId(Type changed)
    {
        string original = ServiceContracts.Describe<Mirrors.Chat.IChatRoom>().ContractId;

        Assert.NotEqual(original, ServiceContracts.Describe(changed).ContractId);
    }

    [Fact]
    public void Describe_MethodNamingRule_ChangesWireNameAndId()
    {
        ContractDescription camel = ServiceContracts.Describe<IChatRoomCamelCase>();
        ContractDescription snake = ServiceContracts.Describe<IChatRoomSnakeCase>();

        Assert.NotNull(camel.FindMethod("joinRoom"));
        Assert.Equal("join_room", snake.Methods[0].Name);
        Assert.NotEqual(camel.ContractId, snake.ContractId);
    }

    [Fact]
    public void Describe_CalledTwice_ReturnsCachedDescription()
    {
        Assert.Same(ServiceContracts.Describe<Mirrors.Chat.IChatRoom>(), ServiceContracts.Describe<Mirrors.Chat.IChatRoom>());
    }
}
