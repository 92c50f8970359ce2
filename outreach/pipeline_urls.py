"""Asks, the pipeline board and table, outreach entries, follow-ups and e-mail.

Included by outreach/urls.py, so the names live in the `outreach:` namespace."""

from django.urls import path

from outreach.views import asks, board, detail, emails, follow_ups, table

urlpatterns = [
    path("asks/", asks.AskListView.as_view(), name="ask-list"),
    path("asks/new/", asks.AskCreateView.as_view(), name="ask-create"),
    path("asks/<slug:slug>/", board.AskBoardView.as_view(), name="ask-board"),
    path("asks/<slug:slug>/table/", table.AskTableView.as_view(), name="ask-table"),
    path("asks/<slug:slug>/bulk/", table.AskBulkView.as_view(), name="ask-bulk"),
    path("asks/<slug:slug>/about/", asks.AskDetailView.as_view(), name="ask-detail"),
    path("asks/<slug:slug>/edit/", asks.AskUpdateView.as_view(), name="ask-update"),
    path(
        "asks/<slug:slug>/email/",
        emails.MessageTemplateListView.as_view(),
        name="message-template-list",
    ),
    path(
        "asks/<slug:slug>/email/messages/new/",
        emails.MessageTemplateCreateView.as_view(),
        name="message-template-create",
    ),
    path("asks/<slug:slug>/email/send/", emails.EmailComposeView.as_view(), name="email-compose"),
    path(
        "email/messages/<int:pk>/edit/",
        emails.MessageTemplateUpdateView.as_view(),
        name="message-template-update",
    ),
    path("email/sendings/<int:pk>/", emails.EmailBatchView.as_view(), name="email-batch"),
    path(
        "email/sendings/<int:pk>/retry/",
        emails.EmailBatchRetryView.as_view(),
        name="email-batch-retry",
    ),
    path("campaigns/new/", asks.CampaignCreateView.as_view(), name="campaign-create"),
    path("campaigns/<slug:slug>/", asks.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<slug:slug>/edit/", asks.CampaignUpdateView.as_view(), name="campaign-update"),
    path("outreach/<int:pk>/", detail.OutreachDetailView.as_view(), name="outreach-detail"),
    path("outreach/<int:pk>/move/", board.OutreachMoveView.as_view(), name="outreach-move"),
    path("outreach/<int:pk>/log/", detail.OutreachLogView.as_view(), name="outreach-log"),
    path(
        "outreach/<int:pk>/follow-up/",
        detail.OutreachFollowUpView.as_view(),
        name="outreach-follow-up",
    ),
    path(
        "outreach/<int:pk>/reminder-sent/",
        detail.OutreachReminderSentView.as_view(),
        name="outreach-reminder-sent",
    ),
    path(
        "outreach/<int:pk>/invitation-sent/",
        detail.OutreachInvitationSentView.as_view(),
        name="outreach-invitation-sent",
    ),
    path("outreach/<int:pk>/owner/", detail.OutreachOwnerView.as_view(), name="outreach-owner"),
    path(
        "outreach/<int:pk>/contact/", detail.OutreachContactView.as_view(), name="outreach-contact"
    ),
    path("follow-ups/", follow_ups.MyFollowUpsView.as_view(), name="my-follow-ups"),
]
