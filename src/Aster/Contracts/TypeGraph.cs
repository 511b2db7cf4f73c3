namespace Aster.Contracts;

/// <summary>One record type of a contract with its TypeDef, canonical bytes and type hash.</summary>
internal sealed record ResolvedType(MessageShape Shape, TypeDef TypeDef, byte[] CanonicalBytes, byte[] Hash)
{
    public string HashHex => ContractHash.ToHex(Hash);
}

/// <summary>
/// The type graph of contracts-and-fory.md A7: discovery from the root types, Tarjan's strongly connected components
/// (leaves first), back-edges inside each component, and hashing in processing order, as the reference Python binding
/// does it (<c>build_type_graph</c>, <c>resolve_with_cycles</c>).
/// </summary>
internal static class TypeGraph
{
    /// <summary>Resolves every record type reachable from the roots, in processing order (leaves first).</summary>
    public static List<ResolvedType> Resolve(MessageCatalog catalog, IEnumerable<MessageShape> roots)
    {
        // Discovery: every reachable record type, each full name once.
        Dictionary<string, MessageShape> types = new(StringComparer.Ordinal);
        Stack<MessageShape> pending = new(roots);
        while (pending.Count > 0)
        {
            MessageShape shape = pending.Pop();
            if (!types.TryAdd(shape.FullName, shape))
            {
                continue;
            }

            foreach (Type reference in shape.References)
            {
                pending.Push(catalog.GetOrAdd(reference));
            }
        }

        // Reference graph, restricted to the discovered set; successors in code-point order.
        Dictionary<string, List<string>> graph = new(StringComparer.Ordinal);
        foreach ((string name, MessageShape shape) in types)
        {
            List<string> successors = shape.References
                .Select(t => catalog.GetOrAdd(t).FullName)
                .Where(types.ContainsKey)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            successors.Sort(CodePointOrder.Raw);
            graph[name] = successors;
        }

        Dictionary<string, byte[]> hashes = new(StringComparer.Ordinal);
        List<ResolvedType> resolved = [];
        foreach (List<string> component in StronglyConnectedComponents(graph))
        {
            HashSet<(string From, string To)> backEdges = [];
            List<string> order;
            if (component.Count == 1)
            {
                string only = component[0];
                if (graph[only].Contains(only, StringComparer.Ordinal))
                {
                    backEdges.Add((only, only));
                }

                order = component;
            }
            else
            {
                HashSet<string> members = new(component, StringComparer.Ordinal);
                string start = CodePointOrder.StableSort(component, m => m, CodePointOrder.Nfc)[0];
                backEdges = FindBackEdges(start, members, graph);
                order = SpanningTreePostOrder(start, members, graph, backEdges);
            }

            foreach (string name in order)
            {
                HashSet<string> selfRefTargets = new(backEdges.Where(e => e.From == name).Select(e => e.To), StringComparer.Ordinal);
                TypeDef typeDef = BuildTypeDef(catalog, types[name], selfRefTargets, hashes);
                byte[] bytes = CanonicalEncoder.Encode(typeDef);
                byte[] hash = ContractHash.Hash(bytes);
                hashes[name] = hash;
                resolved.Add(new ResolvedType(types[name], typeDef, bytes, hash));
            }
        }

        return resolved;
    }

    /// <summary>Tarjan's algorithm; start nodes and successors in code-point order; components leaves first.</summary>
    internal static List<List<string>> StronglyConnectedComponents(Dictionary<string, List<string>> graph)
    {
        Dictionary<string, int> index = new(StringComparer.Ordinal);
        Dictionary<string, int> lowLink = new(StringComparer.Ordinal);
        HashSet<string> onStack = new(StringComparer.Ordinal);
        Stack<string> stack = new();
        List<List<string>> components = [];
        int counter = 0;

        void Connect(string v)
        {
            index[v] = counter;
            lowLink[v] = counter;
            counter++;
            stack.Push(v);
            onStack.Add(v);
            foreach (string w in graph[v])
            {
                if (!index.TryGetValue(w, out int wIndex))
                {
                    Connect(w);
                    lowLink[v] = Math.Min(lowLink[v], lowLink[w]);
                }
                else if (onStack.Contains(w))
                {
                    lowLink[v] = Math.Min(lowLink[v], wIndex);
                }
            }

            if (lowLink[v] == index[v])
            {
                List<string> component = [];
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                components.Add(component);
            }
        }

        List<string> nodes = [.. graph.Keys];
        nodes.Sort(CodePointOrder.Raw);
        foreach (string node in nodes)
        {
            if (!index.ContainsKey(node))
            {
                Connect(node);
            }
        }

        return components;
    }

    /// <summary>DFS from the start inside the component; every edge reaching an already visited node is a back-edge.</summary>
    private static HashSet<(string From, string To)> FindBackEdges(string start, HashSet<string> members, Dictionary<string, List<string>> graph)
    {
        HashSet<string> visited = new(StringComparer.Ordinal);
        HashSet<(string, string)> backEdges = [];

        void Visit(string v)
        {
            visited.Add(v);
            foreach (string w in graph[v].Where(members.Contains))
            {
                if (!visited.Contains(w))
                {
                    Visit(w);
                }
                else
                {
                    backEdges.Add((v, w));
                }
            }
        }

        Visit(start);
        return backEdges;
    }

    /// <summary>Post-order of the spanning tree (component edges minus back-edges), children in NFC code-point order.</summary>
    private static List<string> SpanningTreePostOrder(string start, HashSet<string> members, Dictionary<string, List<string>> graph, HashSet<(string From, string To)> backEdges)
    {
        HashSet<string> visited = new(StringComparer.Ordinal);
        List<string> order = [];

        void Visit(string v)
        {
            visited.Add(v);
            IEnumerable<string> children = graph[v].Where(w => members.Contains(w) && !backEdges.Contains((v, w)) && !visited.Contains(w));
            foreach (string w in CodePointOrder.StableSort(children, c => c, CodePointOrder.Nfc))
            {
                if (!visited.Contains(w))
                {
                    Visit(w);
                }
            }

            order.Add(v);
        }

        Visit(start);
        return order;
    }

    private static TypeDef BuildTypeDef(MessageCatalog catalog, MessageShape shape, HashSet<string> selfRefTargets, Dictionary<string, byte[]> hashes)
    {
        List<FieldDef> fields = [];
        foreach (MessageField field in shape.Fields)
        {
            (TypeKind kind, string primitive, byte[] typeRef, string selfRefName) = Resolve(field.Shape.Value);
            (TypeKind keyKind, string keyPrimitive, byte[] keyRef, _) = field.Shape.Key is { } key
                ? Resolve(key)
                : (TypeKind.Primitive, string.Empty, [], string.Empty);
            fields.Add(new FieldDef(field.WireName, kind, primitive, typeRef, selfRefName, field.Shape.Optional,
                field.Shape.Container, keyKind, keyPrimitive, keyRef));
        }

        return new TypeDef(TypeDefKind.Message, shape.Package, shape.Name, fields, [], []);

        (TypeKind, string, byte[], string) Resolve(ValueShape value)
        {
            if (value.Kind != TypeKind.Ref)
            {
                return (value.Kind, value.Primitive, [], string.Empty);
            }

            string target = catalog.GetOrAdd(value.Record!).FullName;
            if (selfRefTargets.Contains(target))
            {
                return (TypeKind.SelfRef, string.Empty, [], target);
            }

            return hashes.TryGetValue(target, out byte[]? hash)
                ? (TypeKind.Ref, string.Empty, hash, string.Empty)
                : throw new InvalidOperationException($"The type hash of {target} is needed by {shape.FullName} before it was computed.");
        }
    }
}
