using Aster.Contracts;
using Aster.Fory;
using Aster.Tests.Contracts.Mirrors.Echo;

#pragma warning disable CA1034, CA1002, CA2227, CA1040, CA1000, CA1711, CA1068

namespace Aster.Tests.Contracts;

/// <summary>One test per contract rule: each invalid declaration raises a <see cref="ContractException"/> naming it.</summary>
public sealed class ContractValidationTests
{
    public interface INoAttribute
    {
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);
    }

    [AsterService(Name = "A")]
    public interface IServiceA
    {
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);
    }

    [AsterService(Name = "B")]
    public interface IServiceB
    {
        ValueTask<EchoResponse> OtherAsync(EchoRequest request);
    }

    public sealed class TwoServices : IServiceA, IServiceB
    {
        public ValueTask<EchoResponse> EchoAsync(EchoRequest request) => default;

        public ValueTask<EchoResponse> OtherAsync(EchoRequest request) => default;
    }

    [AsterService(Name = " ")]
    public interface IBlankName
    {
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);
    }

    [AsterService(Version = 0)]
    public interface IVersionZero
    {
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);
    }

    [AsterService(SerializationModes = ["xlang", "native"])]
    public interface INativeMode
    {
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);
    }

    [AsterService(SerializationModes = ["XLANG"])]
    public interface IUnknownMode
    {
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);
    }

    [AsterService]
    public interface IOverloads
    {
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);

        ValueTask<EchoResponse> Echo(EchoRequest request, CancellationToken cancellationToken);
    }

    [AsterService]
    public interface ILooseDuplicate
    {
        ValueTask<EchoResponse> GetBookAsync(EchoRequest request);

        [Rpc(Name = "getBook")]
        ValueTask<EchoResponse> FetchAsync(EchoRequest request);
    }

    [AsterService]
    public interface IEmptyMethodName
    {
        [Rpc(Name = "")]
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);
    }

    [AsterService]
    public interface ISyncReturn
    {
        EchoResponse Echo(EchoRequest request);
    }

    [AsterService]
    public interface ITokenNotLast
    {
        ValueTask<EchoResponse> EchoAsync(CancellationToken cancellationToken, EchoRequest request);
    }

    [AsterService]
    public interface IRefParameter
    {
        ValueTask<EchoResponse> EchoAsync(ref EchoRequest request);
    }

    [AsterService]
    public interface IGenericMethod
    {
        ValueTask<EchoResponse> EchoAsync<T>(EchoRequest request);
    }

    [AsterService]
    public interface IStreamWithExtraParameter
    {
        ValueTask<EchoResponse> UploadAsync(IAsyncEnumerable<EchoRequest> requests, string label);
    }

    [AsterService]
    public interface IWrappedStream
    {
        Task<IAsyncEnumerable<EchoResponse>> WatchAsync(EchoRequest request);
    }

    [AsterService]
    public interface IIntResponse
    {
        ValueTask<int> CountAsync(EchoRequest request);
    }

    [AsterService]
    public interface IListStreamElement
    {
        IAsyncEnumerable<List<string>> BatchesAsync(EchoRequest request);
    }

    [AsterService]
    public interface INegativeTimeout
    {
        [Rpc(TimeoutSeconds = -1)]
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);
    }

    [AsterService]
    public interface INaNTimeout
    {
        [Rpc(TimeoutSeconds = double.NaN)]
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);
    }

    [AsterService]
    [RequiresAnyOf]
    public interface IEmptyRoles
    {
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);
    }

    [AsterService]
    public interface IBlankRole
    {
        [Requires("")]
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);
    }

    [AsterService]
    public interface ITwoRequirementKinds
    {
        [Requires("a")]
        [RequiresAllOf("b", "c")]
        ValueTask<EchoResponse> EchoAsync(EchoRequest request);
    }

    [WireType("")]
    public sealed record EmptyTag(string Value);

    [WireType("ns/")]
    public sealed record NoNameTag(string Value);

    [AsterService]
    public interface IEmptyTag
    {
        ValueTask<EchoResponse> EchoAsync(EmptyTag request);
    }

    [AsterService]
    public interface INoNameTag
    {
        ValueTask<EchoResponse> EchoAsync(NoNameTag request);
    }

    [WireType("echo/EchoRequest")]
    public sealed record ImpostorRequest(string Message, long Extra);

    public sealed record Pair(EchoRequest First, ImpostorRequest Second);

    [AsterService]
    public interface IDuplicateTag
    {
        ValueTask<EchoResponse> EchoAsync(Pair request);
    }

    [WireType("valid/LookupRequest")]
    public sealed record LookupRequest(string Sku);

    [AsterService(InlineNamespace = "valid")]
    public interface IInlineCollision
    {
        ValueTask<EchoResponse> LookupAsync(string sku, long warehouse);

        ValueTask<EchoResponse> ExplicitAsync(LookupRequest request);
    }

    public sealed record Envelope<T>(T Value);

    [AsterService]
    public interface IGenericRequest
    {
        ValueTask<EchoResponse> EchoAsync(Envelope<string> request);
    }

    public abstract class AbstractRequest
    {
        public string Value { get; set; } = string.Empty;
    }

    [AsterService]
    public interface IAbstractRequest
    {
        ValueTask<EchoResponse> EchoAsync(AbstractRequest request);
    }

    public sealed record Price(decimal Amount);

    [AsterService]
    public interface IDecimalField
    {
        ValueTask<EchoResponse> EchoAsync(Price request);
    }

    public sealed record Durations(List<List<TimeSpan>> Values);

    [AsterService]
    public interface INestedTimeSpanField
    {
        ValueTask<EchoResponse> EchoAsync(Durations request);
    }

    public sealed class SameWireName
    {
        [WireName("value")]
        public string First { get; set; } = string.Empty;

        public string Value { get; set; } = string.Empty;
    }

    [AsterService]
    public interface ISameWireName
    {
        ValueTask<EchoResponse> EchoAsync(SameWireName request);
    }

    public sealed class LooseWireName
    {
        [WireName("userId")]
        public string First { get; set; } = string.Empty;

        public string UserId { get; set; } = string.Empty;
    }

    [AsterService]
    public interface ILooseWireName
    {
        ValueTask<EchoResponse> EchoAsync(LooseWireName request);
    }

    public sealed record EmptyFieldName([property: WireName("")] string Value);

    [AsterService]
    public interface IEmptyFieldName
    {
        ValueTask<EchoResponse> EchoAsync(EmptyFieldName request);
    }

    public sealed record FixedString([property: FixedWidth] string Value);

    [AsterService]
    public interface IFixedString
    {
        ValueTask<EchoResponse> EchoAsync(FixedString request);
    }

    [Fact]
    public void Describe_NoAsterServiceAttribute_ThrowsNotAService() =>
        AssertRule<INoAttribute>(ContractRule.NotAService, "INoAttribute");

    [Fact]
    public void Describe_ClassWithTwoServiceInterfaces_ThrowsNotAService() =>
        AssertRule<TwoServices>(ContractRule.NotAService, "TwoServices");

    [Fact]
    public void Describe_BlankServiceName_ThrowsInvalidServiceName() =>
        AssertRule<IBlankName>(ContractRule.InvalidServiceName, "IBlankName");

    [Fact]
    public void Describe_VersionZero_ThrowsInvalidVersion() =>
        AssertRule<IVersionZero>(ContractRule.InvalidVersion, "IVersionZero");

    [Fact]
    public void Describe_NativeMode_ThrowsInvalidSerializationMode() =>
        AssertRule<INativeMode>(ContractRule.InvalidSerializationMode, "native");

    [Fact]
    public void Describe_UnknownMode_ThrowsInvalidSerializationMode() =>
        AssertRule<IUnknownMode>(ContractRule.InvalidSerializationMode, "XLANG");

    [Fact]
    public void Describe_OverloadedMethods_ThrowsDuplicateMethodName() =>
        AssertRule<IOverloads>(ContractRule.DuplicateMethodName, "IOverloads.Echo");

    [Fact]
    public void Describe_NamesEqualAfterNormalisation_ThrowsDuplicateMethodName() =>
        AssertRule<ILooseDuplicate>(ContractRule.DuplicateMethodName, "getBook");

    [Fact]
    public void Describe_EmptyRpcName_ThrowsInvalidMethodName() =>
        AssertRule<IEmptyMethodName>(ContractRule.InvalidMethodName, "IEmptyMethodName.EchoAsync");

    [Fact]
    public void Describe_SynchronousReturn_ThrowsUnsupportedReturnType() =>
        AssertRule<ISyncReturn>(ContractRule.UnsupportedReturnType, "ISyncReturn.Echo");

    [Fact]
    public void Describe_TokenNotLast_ThrowsUnsupportedParameters() =>
        AssertRule<ITokenNotLast>(ContractRule.UnsupportedParameters, "ITokenNotLast.EchoAsync");

    [Fact]
    public void Describe_RefParameter_ThrowsUnsupportedParameters() =>
        AssertRule<IRefParameter>(ContractRule.UnsupportedParameters, "IRefParameter.EchoAsync");

    [Fact]
    public void Describe_GenericMethod_ThrowsUnsupportedParameters() =>
        AssertRule<IGenericMethod>(ContractRule.UnsupportedParameters, "IGenericMethod.EchoAsync");

    [Fact]
    public void Describe_StreamBesideOtherParameter_ThrowsInvalidStreamingSignature() =>
        AssertRule<IStreamWithExtraParameter>(ContractRule.InvalidStreamingSignature, "IStreamWithExtraParameter.UploadAsync");

    [Fact]
    public void Describe_StreamWrappedInTask_ThrowsInvalidStreamingSignature() =>
        AssertRule<IWrappedStream>(ContractRule.InvalidStreamingSignature, "IWrappedStream.WatchAsync");

    [Fact]
    public void Describe_IntResponse_ThrowsUnsupportedPrimitiveMessage() =>
        AssertRule<IIntResponse>(ContractRule.UnsupportedPrimitiveMessage, "IIntResponse.CountAsync");

    [Fact]
    public void Describe_ListStreamElement_ThrowsUnsupportedPrimitiveMessage() =>
        AssertRule<IListStreamElement>(ContractRule.UnsupportedPrimitiveMessage, "IListStreamElement.BatchesAsync");

    [Fact]
    public void Describe_NegativeTimeout_ThrowsInvalidTimeout() =>
        AssertRule<INegativeTimeout>(ContractRule.InvalidTimeout, "INegativeTimeout.EchoAsync");

    [Fact]
    public void Describe_NaNTimeout_ThrowsInvalidTimeout() =>
        AssertRule<INaNTimeout>(ContractRule.InvalidTimeout, "INaNTimeout.EchoAsync");

    [Fact]
    public void Describe_RequirementWithoutRoles_ThrowsInvalidCapability() =>
        AssertRule<IEmptyRoles>(ContractRule.InvalidCapability, "IEmptyRoles");

    [Fact]
    public void Describe_BlankRole_ThrowsInvalidCapability() =>
        AssertRule<IBlankRole>(ContractRule.InvalidCapability, "IBlankRole.EchoAsync");

    [Fact]
    public void Describe_TwoRequirementKinds_ThrowsInvalidCapability() =>
        AssertRule<ITwoRequirementKinds>(ContractRule.InvalidCapability, "ITwoRequirementKinds.EchoAsync");

    [Fact]
    public void Describe_EmptyWireTag_ThrowsInvalidWireType() =>
        AssertRule<IEmptyTag>(ContractRule.InvalidWireType, "EmptyTag");

    [Fact]
    public void Describe_WireTagWithoutName_ThrowsInvalidWireType() =>
        AssertRule<INoNameTag>(ContractRule.InvalidWireType, "NoNameTag");

    [Fact]
    public void Describe_TwoTypesOneTag_ThrowsDuplicateWireType() =>
        AssertRule<IDuplicateTag>(ContractRule.DuplicateWireType, "echo.EchoRequest");

    [Fact]
    public void Describe_InlineRequestCollidesWithType_ThrowsDuplicateWireType() =>
        AssertRule<IInlineCollision>(ContractRule.DuplicateWireType, "valid.LookupRequest");

    [Fact]
    public void Describe_GenericRequestType_ThrowsUnsupportedMessageType() =>
        AssertRule<IGenericRequest>(ContractRule.UnsupportedMessageType, "Envelope<String>");

    [Fact]
    public void Describe_AbstractRequestType_ThrowsUnsupportedMessageType() =>
        AssertRule<IAbstractRequest>(ContractRule.UnsupportedMessageType, "AbstractRequest");

    [Fact]
    public void Describe_DecimalField_ThrowsUnsupportedFieldType() =>
        AssertRule<IDecimalField>(ContractRule.UnsupportedFieldType, "Price.Amount");

    [Fact]
    public void Describe_TimeSpanInsideNestedList_ThrowsUnsupportedFieldType() =>
        AssertRule<INestedTimeSpanField>(ContractRule.UnsupportedFieldType, "Durations.Values");

    [Fact]
    public void Describe_SameFieldWireName_ThrowsDuplicateFieldName() =>
        AssertRule<ISameWireName>(ContractRule.DuplicateFieldName, "SameWireName");

    [Fact]
    public void Describe_FieldNamesEqualAfterNormalisation_ThrowsDuplicateFieldName() =>
        AssertRule<ILooseWireName>(ContractRule.DuplicateFieldName, "userId");

    [Fact]
    public void Describe_EmptyFieldWireName_ThrowsInvalidFieldName() =>
        AssertRule<IEmptyFieldName>(ContractRule.InvalidFieldName, "EmptyFieldName.Value");

    [Fact]
    public void Describe_FixedWidthOnString_ThrowsInvalidFixedWidth() =>
        AssertRule<IFixedString>(ContractRule.InvalidFixedWidth, "FixedString.Value");

    [Fact]
    public void Describe_OpenGenericType_ThrowsNotAService()
    {
        ContractException ex = Assert.Throws<ContractException>(() => ServiceContracts.Describe(typeof(List<>)));
        Assert.Equal(ContractRule.NotAService, ex.Rule);
    }

    private static void AssertRule<T>(ContractRule rule, string mentioned)
    {
        ContractException ex = Assert.Throws<ContractException>(ServiceContracts.Describe<T>);
        Assert.Equal(rule, ex.Rule);
        Assert.Contains(mentioned, ex.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(ex.Subject));
    }
}
