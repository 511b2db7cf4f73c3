namespace Aster.Protocol;

/// <summary>How a call's payloads are encoded (wire-protocol.md, section 16).</summary>
public enum SerializationMode : sbyte
{
    /// <summary>Fory cross-language format, the default.</summary>
    Xlang = 0,

    /// <summary>Fory native format (not implemented by Aster for .NET).</summary>
    Native = 1,

    /// <summary>Fory row format (not implemented by Aster for .NET).</summary>
    Row = 2,

    /// <summary>JSON, as the dynamic clients and release 0.1.2 TypeScript peers use.</summary>
    Json = 3,
}

/// <summary>Which generation of the wire protocol a stream speaks (wire-protocol.md, section 20).</summary>
public enum WireDialect
{
    /// <summary>The current dialect: integer call ids, relative deadlines, session ids in the header.</summary>
    Current = 0,

    /// <summary>The release 0.1.2 dialect: string call ids, absolute deadlines, one call per stream, CALL frames for sessions.</summary>
    Release012 = 1,
}
