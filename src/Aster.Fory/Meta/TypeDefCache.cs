using System.Collections.Concurrent;

namespace Aster.Fory.Meta;

/// <summary>A bounded, process-wide cache of parsed TypeDefs keyed by their body bytes.</summary>
internal static class TypeDefCache
{
    private const int MaxEntries = 4096;
    private static readonly ConcurrentDictionary<string, TypeDef> _cache = new(StringComparer.Ordinal);

    public static TypeDef GetOrParse(ReadOnlySpan<byte> body, ForyOptions options, int offset)
    {
        if (body.Length > 4096)
        {
            return TypeDef.Parse(body, options, offset);
        }

        string key = Convert.ToBase64String(body);
        if (_cache.TryGetValue(key, out TypeDef? def))
        {
            if (def.Fields.Length <= options.MaxFieldsPerType)
            {
                return def;
            }
        }

        def = TypeDef.Parse(body, options, offset);
        if (_cache.Count < MaxEntries)
        {
            _cache.TryAdd(key, def);
        }

        return def;
    }
}
