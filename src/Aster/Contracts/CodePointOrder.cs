using System.Text;

namespace Aster.Contracts;

/// <summary>
/// String order used by the canonical encoding: Unicode scalar values compared one by one (never UTF-16 code units),
/// optionally after NFC normalisation (A6).
/// </summary>
internal static class CodePointOrder
{
    public static readonly IComparer<string> Raw = Comparer<string>.Create(Compare);

    public static readonly IComparer<string> Nfc = Comparer<string>.Create(CompareNfc);

    public static string ToNfc(string value) => UnicodeNfc.Normalize(value);

    public static int Compare(string? left, string? right)
    {
        if (ReferenceEquals(left, right))
        {
            return 0;
        }

        if (left is null)
        {
            return -1;
        }

        if (right is null)
        {
            return 1;
        }

        StringRuneEnumerator a = left.EnumerateRunes();
        StringRuneEnumerator b = right.EnumerateRunes();
        while (true)
        {
            bool hasA = a.MoveNext();
            bool hasB = b.MoveNext();
            if (!hasA || !hasB)
            {
                return hasA ? 1 : hasB ? -1 : 0;
            }

            int c = a.Current.Value.CompareTo(b.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }

    public static int CompareNfc(string? left, string? right) =>
        Compare(left is null ? null : ToNfc(left), right is null ? null : ToNfc(right));

    /// <summary>A stable sort (ties keep their input order), as Python's and Rust's sorts are.</summary>
    public static List<T> StableSort<T>(IEnumerable<T> items, Func<T, string> key, IComparer<string> comparer)
    {
        List<(T Item, string Key, int Index)> keyed = items.Select((item, index) => (item, key(item), index)).ToList();
        keyed.Sort((x, y) =>
        {
            int c = comparer.Compare(x.Key, y.Key);
            return c != 0 ? c : x.Index.CompareTo(y.Index);
        });
        return keyed.ConvertAll(k => k.Item);
    }
}
