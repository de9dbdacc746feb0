app_name = "interchange"
urlpatterns: list = []  # filled in below
