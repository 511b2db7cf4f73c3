using System.Text;
using System.Text.Json;
using Aster.Contracts;
using Aster.Testing;

namespace Aster.Tests.Contracts;

public sealed class ContractManifestTests
{
    /// <summary>The Python binding's manifest for the echo service, produced with <c>json.dumps(..., indent=2)</c>.</summary>
    private const string EchoManifest = """
{
  "v": 1,
  "service": "EchoService",
  "version": 1,
  "contract_id": "12d2f2990f4dd71dfd59f5db470d186f1fcc7dbafdac0ea7fdf838ab263c0578",
  "canonical_encoding": "fory-xlang/0.15",
  "type_count": 2,
  "type_hashes": [
    "4a2fa9b8f8cfbd325d72dc9739e416c86cd3cd5724882f22400ab08d2db49dd6",
    "ef84ecadec2481a55fc7b5b0d011f65814c61441ede296c907dde9a367d2a18f"
  ],
  "method_count": 1,
  "methods": [
    {
      "name": "echo",
      "pattern": "unary",
      "request_type": "EchoRequest",
      "response_type": "EchoResponse",
      "request_wire_tag": "echo/EchoRequest",
      "response_wire_tag": "echo/EchoResponse",
      "timeout": null,
      "idempotent": false,
      "fields": [
        {
          "name": "message",
          "kind": "string",
          "nullable": false,
          "required": true,
          "default_value": null,
          "default_kind": "none",
          "description": "",
          "tags": [],
          "properties": {}
        }
      ],
      "response_fields": [
        {
          "name": "reply",
          "kind": "string",
          "nullable": false,
          "required": true,
          "default_value": null,
          "default_kind": "none",
          "description": "",
          "tags": [],
          "properties": {}
        }
      ],
      "request_style": "explicit",
      "inline_params": [],
      "description": "",
      "tags": [],
      "deprecated": false
    }
  ],
  "serialization_modes": [
    "xlang"
  ],
  "producer_language": "",
  "scoped": "shared",
  "description": "",
  "tags": [],
  "deprecated": false,
  "semver": null,
  "vcs_revision": null,
  "vcs_tag": null,
  "vcs_url": null,
  "changelog": null,
  "published_by": "",
  "published_at_epoch_ms": 0
}
""";

    [Fact]
    public void ToManifestJson_EchoService_MatchesPythonForm()
    {
        ContractDescription contract = ServiceContracts.Describe<Mirrors.Echo.IEchoService>();

        Assert.Equal(EchoManifest, contract.ToManifestJson());
    }

    [Fact]
    public void Serialize_SpecialValues_MatchesPythonJsonDumps()
    {
        JsonObjectBuilder value = new()
        {
            { "a", new List<double> { 0.25, 30.0, 1e-05, 1.5e16, 1e16, 123.456, -0.0, 600.0, 1e22 } },
            { "s", "caf\u00e9 \U00020000 \u007f \"q\" \\ \n\t\u0001" },
            { "e", new JsonObjectBuilder() },
            { "l", new List<string>() },
            { "n", null },
            { "b", true },
        };

        // Output of Python's json.dumps(value, indent=2) for the same value.
        string expected = """
            {
              "a": [
                0.25,
                30.0,
                1e-05,
                1.5e+16,
                1e+16,
                123.456,
                -0.0,
                600.0,
                1e+22
              ],
              "s": "caf\u00e9 \ud840\udc00 \u007f \"q\" \\ \n\t\u0001",
              "e": {},
              "l": [],
              "n": null,
              "b": true
            }
            """;
        Assert.Equal(expected, PythonJson.Serialize(value));
    }

    [Fact]
    public void ToManifestJson_InlineParameters_DescribesSynthesisedRequest()
    {
        using JsonDocument manifest = JsonDocument.Parse(ServiceContracts.Describe<Mirrors.Inventory.IInventory>().ToManifestJson());

        JsonElement lookup = manifest.RootElement.GetProperty("methods")[1];
        Assert.Equal("lookup", lookup.GetProperty("name").GetString());
        Assert.Equal("inline", lookup.GetProperty("request_style").GetString());
        Assert.Equal("LookupRequest", lookup.GetProperty("request_type").GetString());
        Assert.Equal("shop/LookupRequest", lookup.GetProperty("request_wire_tag").GetString());
        Assert.Equal(["sku", "warehouse", "include_reserved"], lookup.GetProperty("inline_params").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal("int", lookup.GetProperty("fields")[1].GetProperty("kind").GetString());
        Assert.Equal("bool", lookup.GetProperty("fields")[2].GetProperty("kind").GetString());
    }

    [Fact]
    public void ToManifestJson_MissionControl_DescribesFieldKindsAndDefaults()
    {
        ContractDescription contract = ServiceContracts.Describe<Samples.IMissionControl>();
        ContractManifestMetadata metadata = new() { PublishedBy = "abc", PublishedAtEpochMs = 1_700_000_000_000, Semver = "1.0.0" };
        metadata.Tags.Add("example");

        using JsonDocument manifest = JsonDocument.Parse(contract.ToManifestJson(metadata));
        JsonElement root = manifest.RootElement;

        Assert.Equal(
            ["v", "service", "version", "contract_id", "canonical_encoding", "type_count", "type_hashes", "method_count", "methods",
             "serialization_modes", "producer_language", "scoped", "description", "tags", "deprecated", "semver", "vcs_revision",
             "vcs_tag", "vcs_url", "changelog", "published_by", "published_at_epoch_ms"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(contract.ContractId, root.GetProperty("contract_id").GetString());
        Assert.Equal(7, root.GetProperty("type_count").GetInt32());
        Assert.Equal("1.0.0", root.GetProperty("semver").GetString());
        Assert.Equal(1_700_000_000_000, root.GetProperty("published_at_epoch_ms").GetInt64());
        string[] names = [.. root.GetProperty("methods").EnumerateArray().Select(m => m.GetProperty("name").GetString()!)];
        Assert.Equal(["getStatus", "ingestMetrics", "submitLog", "tailLogs"], names);

        JsonElement ingest = root.GetProperty("methods")[1];
        Assert.Equal("client_stream", ingest.GetProperty("pattern").GetString());
        JsonElement tags = ingest.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "tags");
        Assert.Equal("map", tags.GetProperty("kind").GetString());
        Assert.Equal("string", tags.GetProperty("key_kind").GetString());
        Assert.Equal("string", tags.GetProperty("value_kind").GetString());
        Assert.False(tags.GetProperty("value_nullable").GetBoolean());

        JsonElement submit = root.GetProperty("methods")[2];
        JsonElement level = submit.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "level");
        Assert.Equal("info", level.GetProperty("default_value").GetString());
        Assert.Equal("value", level.GetProperty("default_kind").GetString());
        Assert.False(level.GetProperty("required").GetBoolean());
    }

    [Fact]
    public void ToManifestJson_RecordAndEnumFields_CarryRefAndEnumDetails()
    {
        using JsonDocument manifest = JsonDocument.Parse(ServiceContracts.Describe<Mirrors.Paint.IPaintShop>().ToManifestJson());
        JsonElement fields = manifest.RootElement.GetProperty("methods")[0].GetProperty("fields");

        JsonElement color = fields.EnumerateArray().Single(f => f.GetProperty("name").GetString() == "maybe_color");
        Assert.Equal("enum", color.GetProperty("kind").GetString());
        Assert.True(color.GetProperty("nullable").GetBoolean());
        Assert.Equal([0, 1], color.GetProperty("enum_values").EnumerateArray().Select(v => v.GetInt32()));

        using JsonDocument tree = JsonDocument.Parse(ServiceContracts.Describe<Mirrors.Tree.ITreeService>().ToManifestJson());
        JsonElement children = tree.RootElement.GetProperty("methods")[0].GetProperty("response_fields").EnumerateArray()
            .Single(f => f.GetProperty("name").GetString() == "children");
        Assert.Equal("list", children.GetProperty("kind").GetString());
        Assert.Equal("ref", children.GetProperty("item_kind").GetString());
        Assert.Equal("TreeNode", children.GetProperty("item_ref").GetString());
        Assert.Equal("tree/TreeNode", children.GetProperty("item_wire_tag").GetString());
    }
}
