using System.Text.Json.Serialization;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>
/// <c>type: gchat</c>: a Google Chat space webhook. <c>msgType: cards</c> (the default) posts a cardsV2 card with
/// Flagger's header (Flagger, <c>name.namespace</c>, its icon), the message in the severity's colour, the fields as
/// decorated text and the links as buttons; <c>msgType: text</c> posts a plain text message.
/// </summary>
internal sealed class GoogleChatSinkFactory : ISinkFactory
{
    public string Kind => "gchat";

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Uri url = definition.GetRequiredUrl("url");
        bool cards = ChatConfig.MessageType(definition, "cards", "text") == "cards";
        return new GoogleChatSink(definition.Name, url, cards, definition.Http);
    }
}

internal sealed record GoogleChatMessage
{
    [JsonPropertyName("text")] public string? Text { get; init; }
    [JsonPropertyName("cardsV2")] public IReadOnlyList<GoogleChatCardWithId>? CardsV2 { get; init; }
}

internal sealed record GoogleChatCardWithId([property: JsonPropertyName("cardId")] string CardId, [property: JsonPropertyName("card")] GoogleChatCard Card);

internal sealed record GoogleChatCard(
    [property: JsonPropertyName("header")] GoogleChatHeader Header,
    [property: JsonPropertyName("sections")] IReadOnlyList<GoogleChatSection> Sections);

internal sealed record GoogleChatHeader(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("subtitle")] string Subtitle,
    [property: JsonPropertyName("imageUrl")] string ImageUrl);

internal sealed record GoogleChatSection([property: JsonPropertyName("widgets")] IReadOnlyList<GoogleChatWidget> Widgets);

/// <summary>One widget; only the member of its kind is set.</summary>
internal sealed record GoogleChatWidget
{
    [JsonPropertyName("textParagraph")] public GoogleChatText? TextParagraph { get; init; }
    [JsonPropertyName("decoratedText")] public GoogleChatDecoratedText? DecoratedText { get; init; }
    [JsonPropertyName("buttonList")] public GoogleChatButtonList? ButtonList { get; init; }
}

internal sealed record GoogleChatText([property: JsonPropertyName("text")] string Text);

internal sealed record GoogleChatDecoratedText([property: JsonPropertyName("topLabel")] string TopLabel, [property: JsonPropertyName("text")] string Text);

internal sealed record GoogleChatButtonList([property: JsonPropertyName("buttons")] IReadOnlyList<GoogleChatButton> Buttons);

internal sealed record GoogleChatButton([property: JsonPropertyName("text")] string Text, [property: JsonPropertyName("onClick")] GoogleChatOnClick OnClick);

internal sealed record GoogleChatOnClick([property: JsonPropertyName("openLink")] GoogleChatLink OpenLink);

internal sealed record GoogleChatLink([property: JsonPropertyName("url")] string Url);

internal sealed class GoogleChatSink(string name, Uri url, bool cards, HttpClient http) : ISink
{
    private const string FlaggerIcon = "https://flagger.app/favicon.png";

    public string Name => name;

    public string Kind => "gchat";

    // Card text is HTML; a text message shows characters as they are.
    public TextEscaping Escaping => cards ? TextEscaping.Html : TextEscaping.None;

    // A message, text or card, takes at most 32,000 bytes (developers.google.com/workspace/chat/create-messages); the
    // JSON body is at least as long as what Chat counts, and a margin is kept for the members it adds.
    public const int BodyLimit = 30_000;

    public Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ChatContent content = cards ? ChatContent.From(message, HtmlText.Escape) : ChatContent.From(message, static s => s);
        return ChatHttp.PostBodyAsync(http, url, message, () => ChatLimits.SerializeWithin(text => cards ? Card(content, text) : Text(content, text), content.Text, BodyLimit, Escaping, name), name, cancellationToken);
    }

    private static GoogleChatMessage Text(ChatContent content, string text) => new()
    {
        Text = $"*{content.Title}*\n{text}\n" + string.Join(" · ", content.Fields.Select(f => $"{f.Name}: {f.Value}")) + $"\n{content.TimeText}",
    };

    private static GoogleChatMessage Card(ChatContent content, string text)
    {
        var sections = new List<GoogleChatSection>
        {
            new([new GoogleChatWidget { TextParagraph = new GoogleChatText($"<font color=\"{ChatColors.Hex(content.Severity)}\"><b>{text}</b></font>") }]),
            new(content.Fields.Append(new ChatField("Time", content.TimeText))
                .Select(f => new GoogleChatWidget { DecoratedText = new GoogleChatDecoratedText(f.Name, f.Value) })
                .ToList()),
        };
        if (content.Links.Count > 0)
        {
            sections.Add(new([new GoogleChatWidget
            {
                ButtonList = new GoogleChatButtonList(content.Links.Select(l => new GoogleChatButton(l.Name, new GoogleChatOnClick(new GoogleChatLink(l.Url.AbsoluteUri)))).ToList()),
            }]));
        }
        return new GoogleChatMessage
        {
            CardsV2 = [new GoogleChatCardWithId("flagger", new GoogleChatCard(new GoogleChatHeader("Flagger", content.Title, FlaggerIcon), sections))],
        };
    }
}
