using Bridge.Client.V1;
using Bridge.Grpc;

namespace Bridge.Client;

/// <summary>
/// The methods of service <c>bridge.v1.EventBridge</c> with their protobuf marshallers, shared by the
/// client and any server that implements the service.
/// </summary>
public static class EventBridgeMethods
{
    /// <summary>The fully qualified service name.</summary>
    public const string ServiceName = "bridge.v1.EventBridge";

    /// <summary><c>Publish(PublishRequest) returns (PublishResponse)</c>.</summary>
    public static readonly Method<PublishRequest, PublishResponse> Publish = new(
        MethodType.Unary, ServiceName, "Publish",
        Marshallers.ForProtobuf(PublishRequest.Parser), Marshallers.ForProtobuf(PublishResponse.Parser));

    /// <summary><c>Subscribe(stream SubscribeRequest) returns (stream SubscribeResponse)</c>.</summary>
    public static readonly Method<SubscribeRequest, SubscribeResponse> Subscribe = new(
        MethodType.DuplexStreaming, ServiceName, "Subscribe",
        Marshallers.ForProtobuf(SubscribeRequest.Parser), Marshallers.ForProtobuf(SubscribeResponse.Parser));
}
