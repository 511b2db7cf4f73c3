using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Aster.Fory;

namespace Aster.Contracts;

/// <summary>
/// Builds <see cref="ContractDescription"/>s from C# service declarations (<c>[AsterService]</c> interfaces or classes),
/// validating them and computing their contract ids (contracts-and-fory.md A9, A10).
/// </summary>
public static class ServiceContracts
{
    private const DynamicallyAccessedMemberTypes ServiceMembers =
        DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.Interfaces;

    private static readonly HashSet<string> _knownModes = new(StringComparer.Ordinal) { "xlang", "json", "row" };

    private static readonly ConcurrentDictionary<Type, ContractDescription> _cache = new();

    /// <summary>Describes a service type; see <see cref="Describe(Type)"/>.</summary>
    /// <typeparam name="TService">The service interface, or a class that implements one or carries <c>[AsterService]</c>.</typeparam>
    public static ContractDescription Describe<[DynamicallyAccessedMembers(ServiceMembers)] TService>() => Describe(typeof(TService));

    /// <summary>
    /// Describes a service: the type itself when it carries <c>[AsterService]</c>, otherwise the one
    /// <c>[AsterService]</c> interface it implements. Results are cached per type.
    /// </summary>
    /// <param name="serviceType">The service interface or implementation class.</param>
    /// <returns>The validated contract.</returns>
    /// <exception cref="ContractException">The declaration breaks a contract rule.</exception>
    public static ContractDescription Describe([DynamicallyAccessedMembers(ServiceMembers)] Type serviceType)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (_cache.TryGetValue(serviceType, out ContractDescription? cached))
        {
            return cached;
        }

        return _cache.GetOrAdd(serviceType, Build(serviceType));
    }

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Service interfaces of a kept implementation keep their methods.")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Service interfaces of a kept implementation keep their methods.")]
    private static ContractDescription Build([DynamicallyAccessedMembers(ServiceMembers)] Type type)
    {
        Type serviceType = FindServiceType(type);
        AsterServiceAttribute attribute = serviceType.GetCustomAttribute<AsterServiceAttribute>(inherit: false)!;
        string display = TypeNames.Display(serviceType);
        string name = ServiceName(serviceType, attribute, display);
        if (attribute.Version < 1)
        {
            throw ContractErrors.Create(ContractRule.InvalidVersion, display, $"the version must be a positive integer, not {attribute.Version}");
        }

        List<string> modes = SerializationModes(attribute, display);
        CapabilityRequirement? serviceRequires = Requirement(serviceType, display);

        MessageCatalog catalog = new();
        List<ContractMethod> methods = [];
        Dictionary<string, ContractMethod> byName = new(StringComparer.Ordinal);
        Dictionary<string, ContractMethod> byLooseName = new(StringComparer.Ordinal);
        foreach (MethodInfo method in ServiceMethods(serviceType))
        {
            ContractMethod contractMethod = DescribeMethod(serviceType, attribute, method, catalog);
            string subject = display + "." + method.Name;
            if (!byName.TryAdd(contractMethod.Name, contractMethod))
            {
                throw ContractErrors.Create(ContractRule.DuplicateMethodName, subject,
                    $"the wire name \"{contractMethod.Name}\" is already used by {byName[contractMethod.Name].Method.Name}");
            }

            string loose = WireNaming.Normalize(contractMethod.Name);
            if (!byLooseName.TryAdd(loose, contractMethod))
            {
                throw ContractErrors.Create(ContractRule.DuplicateMethodName, subject,
                    $"the wire names \"{byLooseName[loose].Name}\" and \"{contractMethod.Name}\" cannot be told apart by the method-name fallback match");
            }

            methods.Add(contractMethod);
        }

        IEnumerable<MessageShape> roots = methods
            .SelectMany(m => new[] { m.Request.Shape, m.Response.Shape })
            .OfType<MessageShape>();
        List<ResolvedType> types = TypeGraph.Resolve(catalog, roots);
        Dictionary<string, byte[]> hashes = types.ToDictionary(t => t.Shape.FullName, t => t.Hash, StringComparer.Ordinal);

        List<MethodDef> methodDefs = methods
            .Select(m => new MethodDef(m.Name, m.Pattern, HashOf(m.Request, hashes), HashOf(m.Response, hashes),
                m.Idempotent, m.TimeoutSeconds ?? 0.0, Requires: null))
            .ToList();
        ServiceContractDef contract = new(name, attribute.Version, methodDefs, modes, attribute.Scope, Requires: null, ProducerLanguage: string.Empty);
        byte[] bytes = CanonicalEncoder.Encode(contract);
        List<ContractMethod> sorted = CodePointOrder.StableSort(methods, m => m.Name, CodePointOrder.Nfc);
        return new ContractDescription(serviceType, contract, bytes, sorted, serviceRequires, types);
    }

    private static byte[] HashOf(MessageType message, Dictionary<string, byte[]> hashes)
    {
        if (message.Shape is { } shape)
        {
            return hashes[shape.FullName];
        }

        return message.PrimitiveName is { } primitive ? ContractHash.HashPrimitiveName(primitive) : ContractHash.Zero();
    }

    private static Type FindServiceType([DynamicallyAccessedMembers(ServiceMembers)] Type type)
    {
        string display = TypeNames.Display(type);
        if (type.IsGenericTypeDefinition || type.ContainsGenericParameters)
        {
            throw ContractErrors.Create(ContractRule.NotAService, display, "open generic types cannot be services");
        }

        if (type.IsDefined(typeof(AsterServiceAttribute), inherit: false))
        {
            return type;
        }

        Type[] interfaces = [.. type.GetInterfaces().Where(i => i.IsDefined(typeof(AsterServiceAttribute), inherit: false))];
        return interfaces.Length switch
        {
            1 => interfaces[0],
            0 => throw ContractErrors.Create(ContractRule.NotAService, display,
                "the type has no [AsterService] attribute and implements no [AsterService] interface"),
            _ => throw ContractErrors.Create(ContractRule.NotAService, display,
                "the type implements several [AsterService] interfaces; describe each interface separately"),
        };
    }

    private static string ServiceName(Type serviceType, AsterServiceAttribute attribute, string display)
    {
        if (attribute.Name is { } explicitName)
        {
            return string.IsNullOrWhiteSpace(explicitName)
                ? throw ContractErrors.Create(ContractRule.InvalidServiceName, display, "the service name is empty")
                : explicitName;
        }

        string name = serviceType.Name;
        if (serviceType.IsGenericType)
        {
            throw ContractErrors.Create(ContractRule.InvalidServiceName, display, "a generic service type needs an explicit [AsterService(Name = ...)]");
        }

        return serviceType.IsInterface && name.Length > 1 && name[0] == 'I' && char.IsUpper(name[1]) ? name[1..] : name;
    }

    private static List<string> SerializationModes(AsterServiceAttribute attribute, string display)
    {
        string[] declared = attribute.SerializationModes ?? [];
        if (declared.Length == 0)
        {
            return ["xlang"];
        }

        List<string> modes = [];
        foreach (string mode in declared)
        {
            if (mode == "native")
            {
                throw ContractErrors.Create(ContractRule.InvalidSerializationMode, display,
                    "the 'native' serialization mode is language-specific and never declared by Aster for .NET");
            }

            if (mode is null || !_knownModes.Contains(mode))
            {
                throw ContractErrors.Create(ContractRule.InvalidSerializationMode, display,
                    $"unknown serialization mode \"{mode}\" (expected xlang, json or row, in lower case)");
            }

            if (modes.Contains(mode))
            {
                throw ContractErrors.Create(ContractRule.InvalidSerializationMode, display, $"the serialization mode \"{mode}\" is listed twice");
            }

            modes.Add(mode);
        }

        return modes;
    }

    private static CapabilityRequirement? Requirement(MemberInfo member, string subject)
    {
        CapabilityAttribute[] attributes = [.. member.GetCustomAttributes<CapabilityAttribute>(inherit: false)];
        if (attributes.Length == 0)
        {
            return null;
        }

        if (attributes.Length > 1)
        {
            throw ContractErrors.Create(ContractRule.InvalidCapability, subject,
                "only one of [Requires], [RequiresAnyOf] and [RequiresAllOf] may be applied");
        }

        CapabilityAttribute attribute = attributes[0];
        if (attribute.Roles.Count == 0)
        {
            throw ContractErrors.Create(ContractRule.InvalidCapability, subject, "a capability requirement needs at least one role");
        }

        if (attribute.Roles.Any(string.IsNullOrWhiteSpace))
        {
            throw ContractErrors.Create(ContractRule.InvalidCapability, subject, "a capability role is empty");
        }

        return new CapabilityRequirement(attribute.Kind, attribute.Roles);
    }

    private static IEnumerable<MethodInfo> ServiceMethods([DynamicallyAccessedMembers(ServiceMembers)] Type serviceType)
    {
        if (serviceType.IsInterface)
        {
            IEnumerable<MethodInfo> all = serviceType.GetMethods().Concat(InheritedInterfaceMethods(serviceType));
            return all.Where(m => !m.IsSpecialName && !m.IsStatic);
        }

        return serviceType.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetBaseDefinition().DeclaringType != typeof(object) && !m.IsSpecialName
                && !(m.GetParameters().Length == 0 && m.Name is "Dispose" or "DisposeAsync"));
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Base interfaces of a kept service interface keep their methods.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Base interfaces of a kept service interface keep their methods.")]
    private static IEnumerable<MethodInfo> InheritedInterfaceMethods([DynamicallyAccessedMembers(ServiceMembers)] Type serviceType) =>
        serviceType.GetInterfaces().SelectMany(i => i.GetMethods());

    private static ContractMethod DescribeMethod(Type serviceType, AsterServiceAttribute service, MethodInfo method, MessageCatalog catalog)
    {
        string subject = TypeNames.Display(serviceType) + "." + method.Name;
        RpcAttribute? rpc = method.GetCustomAttribute<RpcAttribute>();
        string name = MethodName(method, rpc, service.MethodNaming, subject);

        double? timeout = null;
        if (rpc is not null)
        {
            if (double.IsNaN(rpc.TimeoutSeconds) || double.IsInfinity(rpc.TimeoutSeconds) || rpc.TimeoutSeconds < 0)
            {
                throw ContractErrors.Create(ContractRule.InvalidTimeout, subject,
                    $"TimeoutSeconds must be a finite number of seconds, zero or more, not {rpc.TimeoutSeconds}");
            }

            timeout = rpc.TimeoutSeconds > 0 ? rpc.TimeoutSeconds : null;
        }

        if (method.IsGenericMethodDefinition)
        {
            throw ContractErrors.Create(ContractRule.UnsupportedParameters, subject, "generic methods cannot be service methods");
        }

        List<ParameterInfo> parameters = [.. method.GetParameters()];
        foreach (ParameterInfo parameter in parameters)
        {
            if (parameter.ParameterType.IsByRef || parameter.IsOut)
            {
                throw ContractErrors.Create(ContractRule.UnsupportedParameters, subject,
                    $"the parameter {parameter.Name} is passed by reference (ref, out or in)");
            }
        }

        bool hasToken = parameters.Count > 0 && parameters[^1].ParameterType == typeof(CancellationToken);
        if (hasToken)
        {
            parameters.RemoveAt(parameters.Count - 1);
        }

        if (parameters.Any(p => p.ParameterType == typeof(CancellationToken)))
        {
            throw ContractErrors.Create(ContractRule.UnsupportedParameters, subject, "a CancellationToken must be the last parameter, and only one is allowed");
        }

        // A server-side CallContext is not part of the contract: it may come last, before an optional CancellationToken.
        bool hasCallContext = parameters.Count > 0 && parameters[^1].ParameterType == typeof(CallContext);
        if (hasCallContext)
        {
            parameters.RemoveAt(parameters.Count - 1);
        }

        if (parameters.Any(p => p.ParameterType == typeof(CallContext)))
        {
            throw ContractErrors.Create(ContractRule.UnsupportedParameters, subject, "a CallContext must come last, before an optional CancellationToken, and only once");
        }

        (Type? responseType, bool responseStream) = AnalyzeReturn(method.ReturnType, subject);
        List<ParameterInfo> streamParameters = parameters.Where(p => AsyncEnumerableElement(p.ParameterType) is not null).ToList();

        MethodPattern pattern;
        MessageType request;
        if (streamParameters.Count > 0)
        {
            if (parameters.Count != 1)
            {
                throw ContractErrors.Create(ContractRule.InvalidStreamingSignature, subject,
                    "an IAsyncEnumerable<T> request stream must be the only parameter besides the CancellationToken");
            }

            pattern = responseStream ? MethodPattern.BidiStream : MethodPattern.ClientStream;
            request = MessageOf(AsyncEnumerableElement(parameters[0].ParameterType)!, catalog, subject + " request");
        }
        else
        {
            pattern = responseStream ? MethodPattern.ServerStream : MethodPattern.Unary;
            Type? single = parameters.Count == 1 ? Nullable.GetUnderlyingType(parameters[0].ParameterType) ?? parameters[0].ParameterType : null;
            if (single is not null && IsUserMessageType(single))
            {
                request = MessageOf(single, catalog, subject + " request");
            }
            else
            {
                string ns = service.InlineNamespace ?? serviceType.Namespace ?? string.Empty;
                string typeName = PascalCase(name) + "Request";
                string tag = ns.Length == 0 ? typeName : ns + "/" + typeName;
                MessageShape shape = catalog.AddSynthesized(tag, subject, parameters);
                request = new MessageType(null, shape, null, parameters);
            }
        }

        MessageType response = responseType is null ? MessageType.None : MessageOf(responseType, catalog, subject + " response");
        CapabilityRequirement? requires = Requirement(method, subject);
        return new ContractMethod(method, name, pattern, timeout, rpc?.Idempotent ?? false, requires, hasToken, request, response) { HasCallContext = hasCallContext };
    }

    private static string MethodName(MethodInfo method, RpcAttribute? rpc, MethodNaming naming, string subject)
    {
        if (rpc?.Name is { } explicitName)
        {
            return string.IsNullOrWhiteSpace(explicitName)
                ? throw ContractErrors.Create(ContractRule.InvalidMethodName, subject, "the method's wire name is empty")
                : explicitName;
        }

        string trimmed = method.Name.Length > 5 && method.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name[..^5] : method.Name;
        return naming switch
        {
            MethodNaming.CamelCase => char.ToLowerInvariant(trimmed[0]) + trimmed[1..],
            MethodNaming.AsDeclared => trimmed,
            _ => WireNaming.ToMethodWireName(method.Name),
        };
    }

    private static (Type? Response, bool Stream) AnalyzeReturn(Type returnType, string subject)
    {
        if (returnType == typeof(Task) || returnType == typeof(ValueTask))
        {
            return (null, false);
        }

        if (returnType.IsGenericType)
        {
            Type definition = returnType.GetGenericTypeDefinition();
            Type argument = returnType.GetGenericArguments()[0];
            if (definition == typeof(Task<>) || definition == typeof(ValueTask<>))
            {
                if (AsyncEnumerableElement(argument) is not null)
                {
                    throw ContractErrors.Create(ContractRule.InvalidStreamingSignature, subject,
                        "a response stream is returned as IAsyncEnumerable<T> directly, not wrapped in a Task");
                }

                return (argument, false);
            }

            if (definition == typeof(IAsyncEnumerable<>))
            {
                return (argument, true);
            }
        }

        throw ContractErrors.Create(ContractRule.UnsupportedReturnType, subject,
            $"a service method returns Task, ValueTask, Task<T>, ValueTask<T> or IAsyncEnumerable<T>, not {TypeNames.Display(returnType)}");
    }

    private static Type? AsyncEnumerableElement(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>) ? type.GetGenericArguments()[0] : null;

    private static MessageType MessageOf(Type type, MessageCatalog catalog, string subject)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (ClrTypeMapper.MessagePrimitiveName(type) is { } primitive)
        {
            return new MessageType(type, null, primitive, null);
        }

        if (IsUserMessageType(type))
        {
            return new MessageType(type, catalog.GetOrAdd(type), null, null);
        }

        if (AsyncEnumerableElement(type) is not null)
        {
            throw ContractErrors.Create(ContractRule.InvalidStreamingSignature, subject, "a stream element cannot itself be a stream");
        }

        throw ContractErrors.Create(ContractRule.UnsupportedPrimitiveMessage, subject,
            $"{TypeNames.Display(type)} cannot be a request or response; use a message type, or long, double, string, bool or byte[]");
    }

    /// <summary>A class or struct declared outside the framework: described as a record (or rejected with a reason).</summary>
    private static bool IsUserMessageType(Type type)
    {
        string? ns = type.Namespace;
        bool framework = ns == "System" || (ns is not null && (ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal)));
        return !framework && !type.IsPrimitive && !type.IsEnum && !type.IsArray && (type.IsClass || type.IsValueType || type.IsInterface);
    }

    /// <summary>The reference's <c>_pascal_case</c>: snake_case parts capitalised and joined, or the first letter upper-cased.</summary>
    internal static string PascalCase(string name)
    {
        if (name.Length == 0)
        {
            return name;
        }

        if (name.Contains('_', StringComparison.Ordinal))
        {
            return string.Concat(name.Split('_').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
        }

        return char.ToUpperInvariant(name[0]) + name[1..];
    }
}
