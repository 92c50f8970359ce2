from django.urls import path

from crm.importing import views

app_name = "imports"

urlpatterns = [
    path("", views.ImportListView.as_view(), name="list"),
    path("new/", views.ImportUploadView.as_view(), name="upload"),
    path("<int:pk>/", views.ImportDetailView.as_view(), name="detail"),
    path("<int:pk>/mapping/", views.ImportMappingView.as_view(), name="mapping"),
    path("<int:pk>/progress/", views.ImportProgressView.as_view(), name="progress"),
    path("<int:pk>/confirm/", views.ImportConfirmView.as_view(), name="confirm"),
    path("<int:pk>/errors.csv", views.ImportErrorsCsvView.as_view(), name="errors-csv"),
    path("<int:pk>/records/", views.ImportRecordsView.as_view(), name="records"),
    path("<int:pk>/undo/", views.ImportUndoView.as_view(), name="undo"),
]
