namespace Aster.Transport;

/// <summary>The ALPN strings an Aster node serves on its one endpoint (wire-protocol.md 2.1).</summary>
public static class AsterAlpns
{
    /// <summary>All RPC traffic: Aster frames on bidirectional streams.</summary>
    public const string Rpc = "aster/1";

    /// <summary>Consumer admission and service discovery: one unframed JSON request and response (wire-protocol.md §17).</summary>
    public const string ConsumerAdmission = "aster.consumer_admission";

    /// <summary>Producer mesh join (trust.md 4.3).</summary>
    public const string ProducerAdmission = "aster.producer_admission";
}
